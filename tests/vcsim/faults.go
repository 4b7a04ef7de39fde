package main

// Fault injection: rules armed at run time by the test (control.go), applied to SOAP requests
// by the front handler (frontend.go). A rule names a kind, a SOAP method (or "*") and,
// optionally, one VM; it counts the requests it matches from the moment it is armed and fires
// on the occurrences it was given ("at 40": the 40th only; "from 40": the 40th and every one
// after; "every": all; "times K": at most K of them).
//
// Kinds, by the moment they act:
//
//	before the call:  freeze (hold the request until released, or for a time, then perform
//	                  it), logout (end the caller's session and answer NotAuthenticated),
//	                  kill-before (close the connection; the call is not performed)
//	after the call:   strip-change-version (remove config.changeVersion from the answer),
//	                  truncate / garbage / content-type (corrupt the answer),
//	                  drop-answer (close the connection without answering)
//
// Every fired fault writes a "fault N ..." line to stderr; "status N" tells how often a rule
// matched (seen), fired, and how many requests it holds now.

import (
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	faultFreeze             = "freeze"
	faultLogout             = "logout"
	faultKillBefore         = "kill-before"
	faultStripChangeVersion = "strip-change-version"
	faultTruncate           = "truncate"
	faultGarbage            = "garbage"
	faultContentType        = "content-type"
	faultDropAnswer         = "drop-answer"
)

var faultKinds = []string{
	faultDropAnswer, faultKillBefore, faultFreeze, faultLogout,
	faultStripChangeVersion, faultTruncate, faultGarbage, faultContentType,
}

type faultRule struct {
	id     int
	spec   string // as the test wrote it, for log lines
	kind   string
	method string // a vim25 method name, or "*"
	target string // moref value of the one VM the rule is limited to, or ""
	first  int    // first occurrence that fires, from 1
	limit  int    // at most this many firings; 0 = no limit
	hold   time.Duration

	seen, fired, held int
	cleared           bool
	gate              chan struct{} // closed to release the requests held now
}

// faultHit is one rule firing on one request.
type faultHit struct {
	rule       *faultRule
	occurrence int
}

var faults = struct {
	sync.Mutex
	nextID       int
	active       []*faultRule
	byID         map[int]*faultRule
	deadSessions map[string]bool // session cookies ended by Logout or by a logout fault
}{byID: map[int]*faultRule{}, deadSessions: map[string]bool{}}

// stopping is closed when the launcher stops: held requests and pending tasks give up.
var stopping = make(chan struct{})

func addFault(r *faultRule) int {
	faults.Lock()
	defer faults.Unlock()
	faults.nextID++
	r.id = faults.nextID
	r.gate = make(chan struct{})
	faults.active = append(faults.active, r)
	faults.byID[r.id] = r
	return r.id
}

// matchFaults counts the request against every active rule and returns the rules that fire.
func matchFaults(call soapCall) []faultHit {
	faults.Lock()
	defer faults.Unlock()
	var hits []faultHit
	for _, r := range faults.active {
		if r.method != "*" && r.method != call.method {
			continue
		}
		if r.target != "" && !call.names(r.target) {
			continue
		}
		r.seen++
		if r.seen < r.first || (r.limit > 0 && r.fired >= r.limit) {
			continue
		}
		r.fired++
		hits = append(hits, faultHit{rule: r, occurrence: r.seen})
	}
	return hits
}

func (h faultHit) logf(call soapCall, format string, args ...interface{}) {
	on := ""
	if call.this != "" {
		on = " on " + call.this
	}
	log.Printf("fault %d (%s): %s%s, occurrence %d: %s", h.rule.id, h.rule.spec, call.method, on, h.occurrence, fmt.Sprintf(format, args...))
}

// hold keeps a request until its rule is released or cleared, or the rule's hold time
// passes. It returns false when the launcher is stopping (the request is then not performed).
func (h faultHit) hold(call soapCall) bool {
	faults.Lock()
	h.rule.held++
	gate := h.rule.gate
	faults.Unlock()
	defer func() {
		faults.Lock()
		h.rule.held--
		faults.Unlock()
	}()

	if h.rule.hold > 0 {
		h.logf(call, "holding the request for %s", h.rule.hold)
	} else {
		h.logf(call, "holding the request until released")
	}
	start := time.Now()
	var timeout <-chan time.Time
	if h.rule.hold > 0 {
		t := time.NewTimer(h.rule.hold)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-gate:
		h.logf(call, "released after %s; performing it", time.Since(start).Round(time.Millisecond))
		return true
	case <-timeout:
		h.logf(call, "held %s; performing it", h.rule.hold)
		return true
	case <-stopping:
		h.logf(call, "the launcher is stopping; not performed")
		return false
	}
}

// releaseFaults lets go the requests held by one rule (id > 0) or by all; it returns how many.
func releaseFaults(id int) (int, error) {
	faults.Lock()
	defer faults.Unlock()
	var rules []*faultRule
	if id > 0 {
		r, ok := faults.byID[id]
		if !ok {
			return 0, fmt.Errorf("no fault %d", id)
		}
		rules = []*faultRule{r}
	} else {
		for _, r := range faults.byID {
			rules = append(rules, r)
		}
	}
	released := 0
	for _, r := range rules {
		released += r.held
		close(r.gate)
		r.gate = make(chan struct{})
	}
	return released, nil
}

// clearFaults disarms every rule and releases what they hold. Cleared rules keep their
// counters for "status N".
func clearFaults() (cleared, released int) {
	faults.Lock()
	cleared = len(faults.active)
	for _, r := range faults.active {
		r.cleared = true
	}
	faults.active = nil
	faults.Unlock()
	released, _ = releaseFaults(0)
	return cleared, released
}

func faultStatus(id int) (string, error) {
	faults.Lock()
	defer faults.Unlock()
	r, ok := faults.byID[id]
	if !ok {
		return "", fmt.Errorf("no fault %d", id)
	}
	target := r.target
	if target == "" {
		target = "*"
	}
	return fmt.Sprintf("id=%d kind=%s method=%s target=%s seen=%d fired=%d held=%d active=%t",
		r.id, r.kind, r.method, target, r.seen, r.fired, r.held, !r.cleared), nil
}

// faultCounter reads one counter of a rule, for "wait".
func faultCounter(id int, counter string) (int, error) {
	faults.Lock()
	defer faults.Unlock()
	r, ok := faults.byID[id]
	if !ok {
		return 0, fmt.Errorf("no fault %d", id)
	}
	switch counter {
	case "seen":
		return r.seen, nil
	case "fired":
		return r.fired, nil
	case "held":
		return r.held, nil
	}
	return 0, fmt.Errorf("no counter %q (seen, fired, held)", counter)
}

func overallStatus() string {
	faults.Lock()
	defer faults.Unlock()
	fired, held := 0, 0
	for _, r := range faults.byID {
		fired += r.fired
		held += r.held
	}
	return fmt.Sprintf("delay=%s task-duration=%s faults=%d active=%d fired=%d held=%d",
		requestDelay(), taskDuration(), len(faults.byID), len(faults.active), fired, held)
}

// ---------------------------------------------------------------------------------------
// Sessions

// endSession ends a vcsim session the way an expired or terminated vCenter session ends: the
// session is gone, and its cookie is refused with NotAuthenticated from now on.
func endSession(cookie string) {
	if cookie == "" {
		return
	}
	sm := simulator.Map.SessionManager()
	// TerminateSession refuses to end the caller's own session, so it is called as another one.
	ctx := &simulator.Context{
		Map:     simulator.Map,
		Session: &simulator.Session{UserSession: types.UserSession{Key: "cpuidmask-vcsim-faults"}},
	}
	_ = sm.TerminateSession(ctx, &types.TerminateSession{This: sm.Self, SessionId: []string{cookie}})
	markSessionDead(cookie)
}

func markSessionDead(cookie string) {
	faults.Lock()
	defer faults.Unlock()
	faults.deadSessions[cookie] = true
}

func isSessionDead(cookie string) bool {
	faults.Lock()
	defer faults.Unlock()
	return faults.deadSessions[cookie]
}

// opensSession: methods vCenter answers without a valid session (a client that lost its
// session logs in again with the old cookie still set).
func opensSession(method string) bool {
	switch method {
	case "RetrieveServiceContent", "Login", "LoginByToken", "LoginExtensionByCertificate", "LoginExtensionBySubjectName", "CloneSession":
		return true
	}
	return false
}

// ---------------------------------------------------------------------------------------
// Parsing a rule

// parseFault parses "KIND METHOD [on VM] [at N | from N | every] [times K] [for DURATION]".
func parseFault(args []string) (*faultRule, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("usage: fault KIND METHOD [on VM] [at N | from N | every] [times K] [for DURATION]; KIND is one of %s", strings.Join(faultKinds, ", "))
	}
	r := &faultRule{spec: strings.Join(args, " "), kind: args[0], method: args[1], first: 1, limit: 1}
	if !contains(faultKinds, r.kind) {
		return nil, fmt.Errorf("unknown fault kind %q; use one of %s", r.kind, strings.Join(faultKinds, ", "))
	}
	if r.method != "*" {
		if _, ok := types.TypeFunc()(r.method); !ok || !isIdentifier(r.method) {
			return nil, fmt.Errorf("%q is not a vim25 method (e.g. ReconfigVM_Task, RetrievePropertiesEx; * for any)", r.method)
		}
	}
	occurrence := ""
	seenTimes := false
	rest := args[2:]
	for len(rest) > 0 {
		word := rest[0]
		if word == "every" {
			if occurrence != "" {
				return nil, fmt.Errorf("give one of at, from, every")
			}
			occurrence = word
			r.first, r.limit = 1, 0
			rest = rest[1:]
			continue
		}
		if len(rest) < 2 {
			return nil, fmt.Errorf("%q needs a value", word)
		}
		value := rest[1]
		rest = rest[2:]
		switch word {
		case "on":
			if r.target != "" {
				return nil, fmt.Errorf("give one VM with on")
			}
			ref, err := resolveVM(value)
			if err != nil {
				return nil, err
			}
			r.target = ref
		case "at", "from":
			if occurrence != "" {
				return nil, fmt.Errorf("give one of at, from, every")
			}
			occurrence = word
			n, err := positive(word, value)
			if err != nil {
				return nil, err
			}
			r.first = n
			if word == "from" {
				r.limit = 0
			}
		case "times":
			n, err := positive(word, value)
			if err != nil {
				return nil, err
			}
			seenTimes = true
			r.limit = n
		case "for":
			if r.kind != faultFreeze {
				return nil, fmt.Errorf("for DURATION is only for freeze")
			}
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("for %q: give a positive duration such as 500ms or 2s", value)
			}
			r.hold = d
		default:
			return nil, fmt.Errorf("unexpected %q; after the method come: on VM, at N, from N, every, times K, for DURATION", word)
		}
	}
	if seenTimes && occurrence != "from" && occurrence != "every" {
		return nil, fmt.Errorf("times K goes with from N or every (at N fires once)")
	}
	return r, nil
}

// resolveVM turns a VM name or VM moref value into the moref value.
func resolveVM(nameOrRef string) (string, error) {
	for _, e := range simulator.Map.All("VirtualMachine") {
		ref := e.Reference().Value
		if ref == nameOrRef || e.Entity().Name == nameOrRef {
			return ref, nil
		}
	}
	return "", fmt.Errorf("on %q: no VM has that name or moref", nameOrRef)
}

func positive(word, value string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(value, "%d", &n); err != nil || n < 1 || fmt.Sprint(n) != value {
		return 0, fmt.Errorf("%s %q: give a whole number from 1", word, value)
	}
	return n, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isIdentifier(s string) bool {
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}
