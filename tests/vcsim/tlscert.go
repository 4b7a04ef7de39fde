package main

// The simulator's TLS certificate: a fresh self-signed ECDSA P-256 certificate per run,
// valid for 127.0.0.1 only, so that clients can pin it (VCSIM_THUMBPRINT, the SHA-256 of the
// DER certificate) or trust it as a CA (-cert-out FILE writes it as PEM). With -cert-key FILE,
// simulators started with the same FILE share one certificate.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

type serverCert struct {
	tls        tls.Certificate
	der        []byte
	thumbprint string // SHA-256, upper-case hex pairs joined by ':'
}

func newServerCert() (*serverCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "127.0.0.1", Organization: []string{"CpuidMask vcsim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // self-signed: lets curl --cacert / a CA pool trust it directly
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return certFrom(der, key), nil
}

func certFrom(der []byte, key *ecdsa.PrivateKey) *serverCert {
	sum := sha256.Sum256(der)
	hexPairs := make([]string, len(sum))
	for i, b := range sum {
		hexPairs[i] = fmt.Sprintf("%02X", b)
	}
	return &serverCert{
		tls:        tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		der:        der,
		thumbprint: strings.Join(hexPairs, ":"),
	}
}

// sharedCert reads the certificate and key a first launcher wrote to path, or makes a fresh pair and
// writes it there, so that several simulators serve one certificate: a client that pins one thumbprint
// (one -Thumbprint for a whole command) can then talk to all of them.
func sharedCert(path string) (*serverCert, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		cert, err := newServerCert()
		if err != nil {
			return nil, err
		}
		key, err := x509.MarshalECPrivateKey(cert.tls.PrivateKey.(*ecdsa.PrivateKey))
		if err != nil {
			return nil, err
		}
		pair := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: key})...)
		// O_EXCL: of two launchers started at once, one writes and the other fails rather than mixing files.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(pair); err != nil {
			f.Close()
			return nil, err
		}
		return cert, f.Close()
	}
	if err != nil {
		return nil, err
	}
	var der []byte
	var key *ecdsa.PrivateKey
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		switch block.Type {
		case "CERTIFICATE":
			der = block.Bytes
		case "EC PRIVATE KEY":
			if key, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
		}
	}
	if der == nil || key == nil {
		return nil, fmt.Errorf("%s: expected a CERTIFICATE and an EC PRIVATE KEY block", path)
	}
	return certFrom(der, key), nil
}

func (c *serverCert) writePEM(path string) error {
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})
	return os.WriteFile(path, data, 0o644)
}
