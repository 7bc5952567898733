package simulator

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"
)

// Server is a running simulator on a loopback address.
type Server struct {
	*Simulator
	// URL is the base URL of both APIs, such as http://127.0.0.1:41234.
	URL string
	// CACertPEM is the PEM of the certificate authority that signed the
	// server's certificate, in TLS mode.
	CACertPEM []byte

	srv *http.Server
	ln  net.Listener
}

// ServerOptions says where and how to listen.
type ServerOptions struct {
	// Addr is a loopback host:port; the default picks a free port on
	// 127.0.0.1.
	Addr string
	// TLS serves HTTPS with a certificate for 127.0.0.1, ::1 and localhost,
	// signed by a certificate authority generated at start.
	TLS bool
}

// Start serves a new simulator until Close.
func Start(opts Options, so ServerOptions) (*Server, error) {
	addr := so.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := requireLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Simulator: New(opts), ln: ln}
	s.srv = &http.Server{
		Handler:           s.Simulator,
		ReadHeaderTimeout: 10 * time.Second,
		// HTTP/1.1 only: connection resets are injected by hijacking.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	scheme := "http"
	if so.TLS {
		caPEM, cert, err := newCertificates()
		if err != nil {
			ln.Close()
			return nil, err
		}
		s.CACertPEM = caPEM
		s.ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	s.URL = scheme + "://" + ln.Addr().String()
	go func() { _ = s.srv.Serve(s.ln) }()
	return s, nil
}

// TB is the part of testing.TB that NewServer uses. Declaring it here keeps
// the testing package out of the atlasmig-sim binary.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewServer starts a simulator for a test and stops it when the test ends.
func NewServer(t TB, opts Options, so ServerOptions) *Server {
	t.Helper()
	s, err := Start(opts, so)
	if err != nil {
		t.Fatalf("starting the simulator: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// WriteCACert writes the certificate authority's PEM to path.
func (s *Server) WriteCACert(path string) error {
	if s.CACertPEM == nil {
		return errors.New("the simulator is not serving TLS")
	}
	return os.WriteFile(path, s.CACertPEM, 0o600)
}

func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q is not a loopback address: the simulator listens only on 127.0.0.0/8, ::1 or localhost", addr)
	}
	return nil
}

// newCertificates makes a certificate authority and a server certificate it
// signs, valid for the loopback names.
func newCertificates() ([]byte, tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "atlasmig simulator CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
