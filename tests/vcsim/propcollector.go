package main

// PropertyCollector correction: result paging.
//
// vSphere Web Services API, PropertyCollector.RetrievePropertiesEx / RetrieveOptions.maxObjects:
// "The maximum number of ObjectContent data objects that should be returned in a single
// result from RetrievePropertiesEx. An unset value indicates that there is no maximum. In
// this case PropertyCollector policy may still limit the number of objects. Any remaining
// objects may be retrieved with ContinueRetrievePropertiesEx." vcsim 0.24 ignores maxObjects,
// never returns a token and has no ContinueRetrievePropertiesEx/CancelRetrievePropertiesEx.
//
// The wrapper pages the result vcsim computes: maxObjects is honoured, and -max-objects N
// (the "policy" limit) caps every page even when the client sets no maxObjects. The rest of
// the result is kept under an opaque token until it is read to the end or cancelled.
//
// simulator.Session.Get makes the per-session instance of the PropertyCollector singleton
// with reflect.New of the registered type ("PropertyCollector might be wrapped with a custom
// type"), so every session gets a zero propertyCollector of ours; the paging state is
// therefore package-level. PropertyCollectors made with CreatePropertyCollector are vcsim's
// own and do not page.

import (
	"crypto/rand"
	"encoding/hex"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type propertyCollector struct {
	simulator.PropertyCollector
}

var paging struct {
	sync.Mutex
	policyMax int // -max-objects; 0 = no server-side limit (vcsim's behaviour)
	pending   map[string]*pendingResult
}

type pendingResult struct {
	objects  []types.ObjectContent
	pageSize int
}

func init() {
	paging.pending = map[string]*pendingResult{}
}

func pageSize(maxObjects int32) int {
	n := int(maxObjects)
	if paging.policyMax > 0 && (n <= 0 || n > paging.policyMax) {
		n = paging.policyMax
	}
	return n
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// nextPage cuts the first page off objects and stores the rest under a token.
func nextPage(objects []types.ObjectContent, size int) *types.RetrieveResult {
	res := &types.RetrieveResult{}
	if size <= 0 || len(objects) <= size {
		res.Objects = objects
		return res
	}
	res.Objects = objects[:size]
	res.Token = newToken()
	paging.pending[res.Token] = &pendingResult{objects: objects[size:], pageSize: size}
	return res
}

func (pc *propertyCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	res := pc.PropertyCollector.RetrievePropertiesEx(ctx, r)
	body, ok := res.(*methods.RetrievePropertiesExBody)
	if !ok || body.Fault_ != nil || body.Res == nil || body.Res.Returnval == nil {
		return res
	}
	paging.Lock()
	defer paging.Unlock()
	body.Res.Returnval = nextPage(body.Res.Returnval.Objects, pageSize(r.Options.MaxObjects))
	return body
}

// ContinueRetrievePropertiesEx returns the next page. An unknown (or finished, or cancelled)
// token is an InvalidArgument fault on the token.
func (pc *propertyCollector) ContinueRetrievePropertiesEx(ctx *simulator.Context, r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	body := &methods.ContinueRetrievePropertiesExBody{}
	paging.Lock()
	defer paging.Unlock()
	p, ok := paging.pending[r.Token]
	if !ok {
		body.Fault_ = simulator.Fault("invalid token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	delete(paging.pending, r.Token)
	page := nextPage(p.objects, p.pageSize)
	body.Res = &types.ContinueRetrievePropertiesExResponse{Returnval: *page}
	return body
}

func (pc *propertyCollector) CancelRetrievePropertiesEx(ctx *simulator.Context, r *types.CancelRetrievePropertiesEx) soap.HasFault {
	body := &methods.CancelRetrievePropertiesExBody{}
	paging.Lock()
	defer paging.Unlock()
	if _, ok := paging.pending[r.Token]; !ok {
		body.Fault_ = simulator.Fault("invalid token", &types.InvalidArgument{InvalidProperty: "token"})
		return body
	}
	delete(paging.pending, r.Token)
	body.Res = &types.CancelRetrievePropertiesExResponse{}
	return body
}
