package simulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
)

// DefaultNonceTTL is the lifetime of a digest nonce when Options sets none.
// MongoDB documents only that a nonce is valid "for a short amount of
// time"; a few minutes is the worst case a client should plan for.
const DefaultNonceTTL = 5 * time.Minute

// DefaultNonceCountWindow is how far below the highest nonce count seen
// for a nonce a count may still arrive, when Options sets none. Counts are
// given to requests before they wait for a connection or the client's rate
// limit, so on a busy machine one can be overtaken by a hundred others.
const DefaultNonceCountWindow = 1024

// nonceRecord is what the simulator remembers of an issued nonce: when it
// was issued and which nonce counts it has accepted. Counts above the
// highest one are always new; counts at most window below it are checked
// against seen; older ones can no longer be told from a replay and are
// refused.
type nonceRecord struct {
	issued  time.Time
	highest uint64
	seen    map[uint64]bool
}

// newNonce issues a nonce. The nonce names its own issue time and is
// signed with the simulator's secret, so an expired nonce is recognised as
// stale even after its record is forgotten — as a server that keeps no
// record of expired nonces (RFC 7616 section 3.3's suggested form) does.
func (s *Simulator) newNonce() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	// Forget expired nonces so a long-running simulator stays small.
	for n, rec := range s.nonces {
		if now.Sub(rec.issued) > s.opts.NonceTTL {
			delete(s.nonces, n)
		}
	}
	var stamp [8]byte
	binary.BigEndian.PutUint64(stamp[:], uint64(now.UnixNano()))
	body := hex.EncodeToString(stamp[:]) + randomString(12)
	nonce := body + s.nonceMAC(body)
	s.nonces[nonce] = &nonceRecord{issued: now, seen: map[uint64]bool{}}
	return nonce
}

func (s *Simulator) nonceMAC(body string) string {
	m := hmac.New(sha256.New, s.nonceSecret)
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// nonceIssued returns the issue time a nonce of this simulator carries.
func (s *Simulator) nonceIssued(nonce string) (time.Time, bool) {
	const stampLen, randLen, macLen = 16, 24, 16
	if len(nonce) != stampLen+randLen+macLen {
		return time.Time{}, false
	}
	body, mac := nonce[:stampLen+randLen], nonce[stampLen+randLen:]
	if !hmac.Equal([]byte(mac), []byte(s.nonceMAC(body))) {
		return time.Time{}, false
	}
	stamp, err := hex.DecodeString(nonce[:stampLen])
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(stamp))), true //nolint:gosec // Written from a time's UnixNano above.
}

// nonceVerdict is what the nonce of a digest response allows.
type nonceVerdict int

const (
	nonceAccepted nonceVerdict = iota
	// nonceStale: a nonce this simulator issued that has expired; the
	// challenge says stale=true, so the client needs only the new nonce.
	nonceStale
	// nonceRefused: unknown, replayed, or reused where reuse is refused.
	nonceRefused
)

// useNonce checks the nonce and nonce count of a digest response whose
// digest is valid, and records the count as used. It is called only for a
// valid digest: RFC 7616 sets stale=true only for a request whose digest
// proves the client knows the password, and a forged request spends no
// count.
func (s *Simulator) useNonce(nonce, nc string) nonceVerdict {
	count, err := strconv.ParseUint(nc, 16, 32)
	if err != nil || len(nc) != 8 || count == 0 {
		return nonceRefused
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, known := s.nonces[nonce]
	if !known {
		if issued, ours := s.nonceIssued(nonce); ours && s.now().Sub(issued) > s.opts.NonceTTL {
			return nonceStale
		}
		return nonceRefused
	}
	if s.now().Sub(rec.issued) > s.opts.NonceTTL {
		return nonceStale
	}
	if s.opts.RefuseNonceReuse && (count != 1 || len(rec.seen) > 0) {
		return nonceRefused
	}
	window := uint64(s.opts.NonceCountWindow) //nolint:gosec // Made positive by New.
	if rec.seen[count] || count+window <= rec.highest {
		return nonceRefused
	}
	rec.seen[count] = true
	if count > rec.highest {
		rec.highest = count
		// Counts the window has left behind are refused without a look.
		for c := range rec.seen {
			if c+window <= rec.highest {
				delete(rec.seen, c)
			}
		}
	}
	return nonceAccepted
}

// releaseNonceCount makes a count of a nonce usable again: the request
// that carried it was stopped in front of the API, which never saw it.
func (s *Simulator) releaseNonceCount(nonce, nc string) {
	count, err := strconv.ParseUint(nc, 16, 32)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec, ok := s.nonces[nonce]; ok {
		delete(rec.seen, count)
	}
}
