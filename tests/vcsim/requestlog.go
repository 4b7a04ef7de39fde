package main

// -log-requests FILE: one line per SOAP request, the method name (e.g. RetrievePropertiesEx),
// appended to FILE before the request is dispatched, so a client that has its response can
// count its round trips by reading the file. The line is written by the SDK front handler
// (frontend.go) before any delay or fault, so a request that is dropped, frozen or refused
// is still counted.

import (
	"bytes"
	"encoding/xml"
	"os"
	"sync"
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

// soapCall is what the front handler needs to know of a request before dispatching it.
type soapCall struct {
	method   string // local name of the first element in the SOAP Body, or "?"
	this     string // text of the method's _this element (a moref value), or ""
	thisType string // its type attribute
	// objects: for RetrieveProperties(Ex), the morefs its specSet names (objectSet/obj), so that
	// a fault "on VM" can hit the reads of that VM, whose _this is the property collector.
	objects []string
}

func (c soapCall) names(moref string) bool {
	if c.this == moref {
		return true
	}
	for _, o := range c.objects {
		if o == moref {
			return true
		}
	}
	return false
}

func readsProperties(method string) bool {
	return method == "RetrievePropertiesEx" || method == "RetrieveProperties"
}

// parseCall reads the method name and its _this from a SOAP request body.
func parseCall(body []byte) soapCall {
	call := soapCall{method: "?"}
	dec := xml.NewDecoder(bytes.NewReader(body))
	depth, bodyDepth := 0, -1
	inThis, inObj := false, false
	for {
		tok, err := dec.Token()
		if err != nil {
			return call
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case bodyDepth < 0 && t.Name.Local == "Body":
				bodyDepth = depth
			case bodyDepth > 0 && depth == bodyDepth+1 && call.method == "?":
				call.method = t.Name.Local
			case bodyDepth > 0 && depth > bodyDepth+2 && t.Name.Local == "obj" && readsProperties(call.method):
				inObj = true
				call.objects = append(call.objects, "")
			case bodyDepth > 0 && depth == bodyDepth+2:
				if t.Name.Local != "_this" {
					if call.this != "" && readsProperties(call.method) {
						break // specSet and options follow _this
					}
					return call // vim25 puts _this first
				}
				inThis = true
				for _, a := range t.Attr {
					if a.Name.Local == "type" {
						call.thisType = a.Value
					}
				}
			}
		case xml.CharData:
			if inThis {
				call.this += string(t)
			}
			if inObj {
				call.objects[len(call.objects)-1] += string(t)
			}
		case xml.EndElement:
			if inThis {
				inThis = false
				if !readsProperties(call.method) {
					return call
				}
			}
			inObj = false
			depth--
			if bodyDepth > 0 && depth < bodyDepth {
				return call
			}
		}
	}
}
