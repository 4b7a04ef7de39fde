package main

// The SDK front handler: every SOAP request to /sdk passes here before vcsim's own Service.ServeSDK.
// In order it: appends the method to the request log (-log-requests), waits the request
// delay (latency.go), refuses a session that was ended (Logout or a logout fault) with
// NotAuthenticated, and applies the fault rules that fire (faults.go).
//
// Hook: simulator.Service.ServeMux is exported and NewServer only creates it when nil, so we
// create it first and register host-specific patterns ("127.0.0.1/sdk", "localhost/sdk"):
// net/http gives host patterns precedence over NewServer's plain "/sdk". Requests whose Host
// header is neither 127.0.0.1 nor localhost reach vcsim directly (no log, delay or fault);
// every client here uses the printed URL, whose host is 127.0.0.1.
//
// A connection is closed without an answer by panicking with http.ErrAbortHandler, which
// net/http documents as the way to abort a handler: the server closes the connection (a TLS
// close_notify, then FIN) without logging and without writing anything.

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
)

type frontend struct {
	svc    *simulator.Service
	reqLog *requestLog // nil without -log-requests
}

// install registers the front handler on the service's mux; call before NewServer.
func (f *frontend) install() {
	if f.svc.ServeMux == nil {
		f.svc.ServeMux = http.NewServeMux()
	}
	direct := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/sdk" // vcsim picks its registry by path
		f.svc.ServeSDK(w, r)
	})
	for _, host := range []string{"127.0.0.1", "localhost"} {
		f.svc.ServeMux.Handle(host+"/sdk", f)
		f.svc.ServeMux.Handle(host+"/sdk/vimService", f)
		f.svc.ServeMux.Handle(host+directPath, direct)
	}
}

// directPath serves SOAP straight from vcsim: no request log, no delay, no fault. It is for
// the tests' independent reader (readvms.py), which must see the simulator's real state
// while faults are armed and must not add lines to the request log the test counts.
const directPath = "/direct/sdk"

func (f *frontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		f.svc.ServeSDK(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	call := parseCall(body)
	if f.reqLog != nil {
		f.reqLog.write(call.method)
	}

	if d := requestDelay(); d > 0 {
		select {
		case <-time.After(d):
		case <-stopping:
			panic(http.ErrAbortHandler)
		}
	}

	cookie := ""
	if c, err := r.Cookie(soap.SessionCookieName); err == nil {
		cookie = c.Value
	}
	if cookie != "" && !opensSession(call.method) && isSessionDead(cookie) {
		writeNotAuthenticated(w, call)
		return
	}

	if call.method == "Logout" && cookie != "" && heldRequests(cookie) > 0 {
		f.deferLogout(w, r, cookie)
		return
	}

	hits := matchFaults(call)
	var after []faultHit
	for _, h := range hits {
		if h.rule.kind != faultFreeze {
			continue
		}
		done := beginHeld(cookie)
		defer done()
		if !h.hold(call) {
			panic(http.ErrAbortHandler)
		}
		// The client may have given up meanwhile; the call is performed all the same.
		r = r.Clone(context.Background())
	}
	for _, h := range hits {
		switch h.rule.kind {
		case faultLogout:
			endSession(cookie)
			h.logf(call, "ended the session; answered NotAuthenticated")
			writeNotAuthenticated(w, call)
			return
		case faultKillBefore:
			h.logf(call, "closed the connection before performing the call")
			panic(http.ErrAbortHandler)
		case faultFreeze:
		default:
			after = append(after, h)
		}
	}

	if len(after) == 0 {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		f.svc.ServeSDK(sw, r)
		f.noteLogout(call, cookie, sw.status)
		return
	}

	rec := httptest.NewRecorder()
	f.svc.ServeSDK(rec, r)
	f.noteLogout(call, cookie, rec.Code)
	answer := rec.Body.Bytes()
	status := rec.Code
	header := rec.Header().Clone()
	for _, h := range after {
		if h.rule.kind == faultStripChangeVersion {
			stripped, n := stripChangeVersion(answer)
			answer = stripped
			h.logf(call, "removed %d config.changeVersion value(s) from the answer", n)
		}
	}
	for _, h := range after {
		if h.rule.kind == faultDropAnswer {
			h.logf(call, "performed the call (HTTP %d); closed the connection without answering", status)
			panic(http.ErrAbortHandler)
		}
	}
	for _, h := range after {
		switch h.rule.kind {
		case faultTruncate:
			answer = answer[:len(answer)/2]
			h.logf(call, "performed the call; answered HTTP %d with the first %d bytes of the answer", status, len(answer))
		case faultGarbage:
			answer = garbageAnswer
			header.Set("Content-Type", "text/xml; charset=utf-8")
			h.logf(call, "performed the call; answered HTTP %d with bytes that are not XML", status)
		case faultContentType:
			header.Set("Content-Type", "text/html; charset=utf-8")
			h.logf(call, "performed the call; answered HTTP %d with Content-Type text/html", status)
		}
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}

// noteLogout: after a successful Logout, vCenter refuses the old cookie with NotAuthenticated
// for every method; vcsim would still answer RetrieveProperties(Ex) without a session.
func (f *frontend) noteLogout(call soapCall, cookie string, status int) {
	if call.method == "Logout" && cookie != "" && status == http.StatusOK {
		markSessionDead(cookie)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// writeNotAuthenticated answers as vCenter does for a call on a session that has ended.
func writeNotAuthenticated(w http.ResponseWriter, call soapCall) {
	thisType, this := call.thisType, call.this
	if this == "" {
		thisType, this = "SessionManager", "SessionManager"
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString(`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	b.WriteString(`<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring>`)
	fmt.Fprintf(&b, `<detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="%s">%s</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail>`,
		escapeXML(thisType), escapeXML(this))
	b.WriteString(`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, b.String())
}

func escapeXML(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// The answer of the garbage fault: it starts like a SOAP envelope, then is not XML.
var garbageAnswer = []byte(xml.Header + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><\x00\xff\xfe garbage &&& <</soapenv:Envelope")

// config.changeVersion as vcsim writes it: a propSet of RetrieveProperties(Ex), a changeSet
// of WaitForUpdates(Ex), or the element inside a whole VirtualMachineConfigInfo ("config").
var changeVersionPatterns = []*regexp.Regexp{
	regexp.MustCompile(`(?s)<propSet><name>config\.changeVersion</name>.*?</propSet>`),
	regexp.MustCompile(`(?s)<changeSet><name>config\.changeVersion</name>.*?</changeSet>`),
	regexp.MustCompile(`<changeVersion>[^<]*</changeVersion>`),
}

func stripChangeVersion(answer []byte) ([]byte, int) {
	n := 0
	for _, re := range changeVersionPatterns {
		n += len(re.FindAllIndex(answer, -1))
		answer = re.ReplaceAll(answer, nil)
	}
	return answer, n
}
