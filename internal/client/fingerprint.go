package client

import (
	"crypto/sha256"
	"encoding/hex"
)

// credentialsFingerprint names one API and the credentials used with it, so
// that an answer recorded by one provider process (in a resource's private
// state) can later be matched to the credentials configured in another. It
// is a truncated SHA-256 of the base URL and every credential field: the keys
// and client secrets the APIs generate are random UUIDs, which a truncated
// digest cannot be turned back into, and a changed private key (the usual
// shape of a wrong key) changes the fingerprint.
func credentialsFingerprint(baseURL string, cfg Config) string {
	h := sha256.New()
	for _, s := range []string{"atlasmig credentials v1", baseURL, cfg.PublicKey, cfg.PrivateKey, cfg.ClientID, cfg.ClientSecret} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// CredentialsFingerprint names the API and the credentials this client uses,
// without revealing them.
func (o *OpsManager) CredentialsFingerprint() string { return o.c.credentials }

// CredentialsFingerprint names the API and the credentials this client uses,
// without revealing them.
func (a *Atlas) CredentialsFingerprint() string { return a.c.credentials }
