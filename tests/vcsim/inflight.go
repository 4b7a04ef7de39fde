package main

// Calls a session sent before it logged out are still performed. A client that gave up on a
// call (its deadline passed, then it logged out) cannot take back what the server already
// received: vSphere runs a method such as ReconfigVM_Task as a Task on the server, and the
// API reference's SessionManager.Logout ends the session for the calls that follow, it does
// not cancel work in progress. This is the case a careful client must assume, so the
// simulator models it. vcsim instead checks the session when it performs the call, so a
// request held by a freeze fault and released after its client logged out would be refused
// with NotAuthenticated and never performed. So while a session has held requests in flight,
// its Logout is answered at once (later calls with its cookie are refused, as after any
// Logout), and vcsim's own Logout runs once those requests are done.

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
)

var inflight = struct {
	sync.Mutex
	cond  *sync.Cond
	count map[string]int
}{count: map[string]int{}}

func init() { inflight.cond = sync.NewCond(&inflight.Mutex) }

// beginHeld counts a held request of a session until the returned func is called.
func beginHeld(cookie string) func() {
	if cookie == "" {
		return func() {}
	}
	inflight.Lock()
	inflight.count[cookie]++
	inflight.Unlock()
	return func() {
		inflight.Lock()
		inflight.count[cookie]--
		if inflight.count[cookie] == 0 {
			delete(inflight.count, cookie)
		}
		inflight.cond.Broadcast()
		inflight.Unlock()
	}
}

func heldRequests(cookie string) int {
	inflight.Lock()
	defer inflight.Unlock()
	return inflight.count[cookie]
}

// deferLogout answers a Logout of a session with held requests and performs it after them.
func (f *frontend) deferLogout(w http.ResponseWriter, r *http.Request, cookie string) {
	markSessionDead(cookie)
	log.Printf("Logout of a session with %d held request(s): answered now, performed after them", heldRequests(cookie))
	later := r.Clone(context.Background())
	go func() {
		inflight.Lock()
		for inflight.count[cookie] > 0 {
			inflight.cond.Wait()
		}
		inflight.Unlock()
		f.svc.ServeSDK(httptest.NewRecorder(), later)
		log.Printf("Logout performed after the session's held requests")
	}()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
		`<LogoutResponse xmlns="urn:vim25"></LogoutResponse></soapenv:Body></soapenv:Envelope>`))
}
