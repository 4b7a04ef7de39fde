package main

// The simulator's TLS certificate: a fresh self-signed ECDSA P-256 certificate per run,
// valid for 127.0.0.1 only, so that clients can pin it (VCSIM_THUMBPRINT, the SHA-256 of the
// DER certificate) or trust it as a CA (-cert-out FILE writes it as PEM).

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
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
	sum := sha256.Sum256(der)
	hexPairs := make([]string, len(sum))
	for i, b := range sum {
		hexPairs[i] = fmt.Sprintf("%02X", b)
	}
	return &serverCert{
		tls:        tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		der:        der,
		thumbprint: strings.Join(hexPairs, ":"),
	}, nil
}

func (c *serverCert) writePEM(path string) error {
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})
	return os.WriteFile(path, data, 0o644)
}
