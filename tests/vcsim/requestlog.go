package main

// -log-requests FILE: one line per SOAP request, the method name (e.g. RetrievePropertiesEx),
// appended to FILE before the request is dispatched, so a client that has its response can
// count its round trips by reading the file.
//
// Hook: simulator.Service.ServeMux is exported and NewServer only creates it when nil, so we
// create it first and register host-specific patterns ("127.0.0.1/sdk", "localhost/sdk"):
// net/http gives host patterns precedence over NewServer's plain "/sdk", and our handler
// forwards to the simulator's own Service.ServeSDK. Requests whose Host header is neither
// 127.0.0.1 nor localhost are served but not logged.

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/vmware/govmomi/simulator"
)

type requestLog struct {
	mu sync.Mutex
	f  *os.File
}

func openRequestLog(path string) (*requestLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &requestLog{f: f}, nil
}

func (l *requestLog) write(method string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.f.WriteString(method + "\n") // one write per line, unbuffered
}

func (l *requestLog) close() { _ = l.f.Close() }

// install registers the logging handler on the service's mux; call before NewServer.
func (l *requestLog) install(svc *simulator.Service) {
	if svc.ServeMux == nil {
		svc.ServeMux = http.NewServeMux()
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			l.write(soapMethod(body))
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		svc.ServeSDK(w, r)
	})
	for _, host := range []string{"127.0.0.1", "localhost"} {
		svc.ServeMux.Handle(host+"/sdk", h)
		svc.ServeMux.Handle(host+"/sdk/vimService", h)
	}
}

// soapMethod returns the local name of the first element inside the SOAP Body, or "?".
func soapMethod(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return "?"
		}
		if se, ok := tok.(xml.StartElement); ok {
			if inBody {
				return se.Name.Local
			}
			if se.Name.Local == "Body" {
				inBody = true
			}
		}
	}
}
