package main

// VirtualMachine corrections, done the way govmomi's simulator documents for extending it:
// a type that embeds simulator.VirtualMachine is put into simulator.Map under the same
// ManagedObjectReference, and the SOAP dispatcher calls the methods defined here instead of
// (or in addition to) the embedded ones.
//
// simulator.VirtualMachine is embedded by value, not by pointer: the property collector digs
// the mo.VirtualMachine out of a wrapper through its first field and only descends into
// struct fields (govmomi 0.24 getManagedObject), so a pointer embedding would panic on the
// first RetrievePropertiesEx against the VM.

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type virtualMachine struct {
	simulator.VirtualMachine

	// fixedRequirement, when hasFixed, is the runtime.featureRequirement the inventory gave
	// for this VM; it is used instead of the derived one at every power-on.
	fixedRequirement []types.VirtualMachineFeatureRequirement
	hasFixed         bool
}

// ---------------------------------------------------------------------------------------
// config.changeVersion
//
// vSphere Web Services API, VirtualMachineConfigInfo.changeVersion: "The changeVersion is a
// unique identifier for a given version of the configuration. Each change to the
// configuration updates this value. This is typically implemented as an ever increasing
// count or a time-stamp." vcsim 0.24 never sets it. We use an RFC 3339 UTC time-stamp with
// microseconds (what vCenter shows), made strictly increasing so that two changes within
// the same microsecond still get different versions.

var changeVersionClock struct {
	sync.Mutex
	last time.Time
}

func nextChangeVersion() string {
	changeVersionClock.Lock()
	defer changeVersionClock.Unlock()
	now := time.Now().UTC().Truncate(time.Microsecond)
	if !now.After(changeVersionClock.last) {
		now = changeVersionClock.last.Add(time.Microsecond)
	}
	changeVersionClock.last = now
	return now.Format("2006-01-02T15:04:05.000000Z")
}

// ---------------------------------------------------------------------------------------
// ReconfigVM_Task

// ReconfigVMTask replaces vcsim's ReconfigVM_Task to fix two things we rely on:
//
//  1. VirtualMachineConfigSpec.changeVersion (vSphere Web Services API, vim.vm.ConfigSpec):
//     "If specified, the changes are only applied if the current changeVersion matches the
//     specified changeVersion." and VirtualMachine.ReconfigVM_Task lists the fault
//     ConcurrentAccess "if the changeVersion does not match the server's changeVersion for
//     the configuration." vcsim ignores the field. Here a stale changeVersion fails the task
//     with ConcurrentAccess before anything is touched, and every successful reconfigure
//     sets a new config.changeVersion.
//
//  2. VirtualMachineConfigSpec.extraConfig (same reference): "If the key is already present,
//     it will be reset with the new value provided. Otherwise, a new option is added. Keys
//     with empty values will be removed." vcsim 0.24 appends every option, so a key written
//     twice shows up twice and an empty value is stored instead of deleting the key. Here the
//     options are merged by key.
//
// Everything else in the spec (devices, name, CPU/memory, ...) is still handled by vcsim's own
// ReconfigVM_Task, called synchronously from inside our task. Faults surface the way
// vCenter reports them for this method: as the task's info.error, not as a SOAP fault.
func (vm *virtualMachine) ReconfigVMTask(ctx *simulator.Context, req *types.ReconfigVM_Task) soap.HasFault {
	task := simulator.CreateTask(vm, "reconfigVm", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		spec := req.Spec

		if spec.ChangeVersion != "" && spec.ChangeVersion != vm.Config.ChangeVersion {
			return nil, &types.ConcurrentAccess{}
		}

		// Validate our part first, so that a bad option fails the task before vcsim applies
		// anything else from the spec.
		var ours, vcsims []types.BaseOptionValue
		for _, o := range spec.ExtraConfig {
			ov := o.GetOptionValue()
			if ov.Key == "" {
				return nil, &types.InvalidArgument{InvalidProperty: "spec.extraConfig"}
			}
			if isVcsimExtraConfigKey(ov.Key) {
				vcsims = append(vcsims, o)
			} else {
				ours = append(ours, o)
			}
		}

		inner := spec
		inner.ChangeVersion = ""
		inner.ExtraConfig = vcsims
		res := vm.VirtualMachine.ReconfigVMTask(ctx, &types.ReconfigVM_Task{This: req.This, Spec: inner})
		if f := res.Fault(); f != nil {
			if mf, ok := f.Detail.Fault.(types.BaseMethodFault); ok {
				return nil, mf
			}
			return nil, &types.SystemError{Reason: f.String}
		}
		ref := res.(*methods.ReconfigVM_TaskBody).Res.Returnval
		if t, ok := simulator.Map.Get(ref).(*simulator.Task); ok && t.Info.Error != nil {
			return nil, t.Info.Error.Fault
		}

		changes := []types.PropertyChange{{Name: "config.changeVersion", Val: nextChangeVersion()}}
		if len(ours) > 0 {
			changes = append(changes, types.PropertyChange{
				Name: "config.extraConfig",
				Val:  mergeExtraConfig(vm.Config.ExtraConfig, ours),
			})
		}
		simulator.Map.Update(vm, changes)
		return nil, nil
	})

	return &methods.ReconfigVM_TaskBody{
		Res: &types.ReconfigVM_TaskResponse{Returnval: runTask(task, vm)},
	}
}

// isVcsimExtraConfigKey: vcsim gives "SET.<property>" keys (and its alias "ip0") a meaning of
// its own (they set guest properties and are not stored); leave those to vcsim.
func isVcsimExtraConfigKey(key string) bool {
	return strings.HasPrefix(key, "SET.") || key == "ip0"
}

// mergeExtraConfig returns a new list: current with changes applied by key (replace in
// place, append new keys at the end, remove keys whose new value is empty or absent).
func mergeExtraConfig(current []types.BaseOptionValue, changes []types.BaseOptionValue) []types.BaseOptionValue {
	out := make([]types.BaseOptionValue, 0, len(current)+len(changes))
	index := map[string]int{}
	for _, o := range current {
		ov := o.GetOptionValue()
		index[ov.Key] = len(out)
		out = append(out, &types.OptionValue{Key: ov.Key, Value: ov.Value})
	}
	removed := map[string]bool{}
	for _, o := range changes {
		ov := o.GetOptionValue()
		if isEmptyOptionValue(ov.Value) {
			if i, ok := index[ov.Key]; ok && !removed[ov.Key] {
				out[i] = nil
				removed[ov.Key] = true
			}
			continue
		}
		if i, ok := index[ov.Key]; ok && !removed[ov.Key] {
			out[i] = &types.OptionValue{Key: ov.Key, Value: ov.Value}
			continue
		}
		index[ov.Key] = len(out)
		delete(removed, ov.Key)
		out = append(out, &types.OptionValue{Key: ov.Key, Value: ov.Value})
	}
	compact := out[:0]
	for _, o := range out {
		if o != nil {
			compact = append(compact, o)
		}
	}
	return compact
}

func isEmptyOptionValue(v types.AnyType) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// ---------------------------------------------------------------------------------------
// ApplyEvcModeVM_Task (per-VM EVC), missing from vcsim 0.24.
//
// vSphere Web Services API, VirtualMachine.ApplyEvcModeVM_Task(mask, completeMasks):
// "Applies the EVC mode masks to the virtual machine. Existing masks will be replaced by the
// input masks. If the mask parameter is not set, then the masks on the virtual machine are
// removed." / mask: "An empty set of masks will clear EVC settings." / completeMasks:
// "Defaults to true if not set." / "This operation is only supported if
// VirtualMachineCapability.perVmEvcSupported is true." / Faults: InvalidPowerState "if the
// power state is not poweredOff".
//
// What this implementation does:
//   - not poweredOff -> task error InvalidPowerState{requestedState: poweredOff}.
//   - config.version below vmx-14 (per-VM EVC needs hardware version 14, and
//     capability.perVmEvcSupported is false for such VMs here) -> task error NotSupported.
//     The reference names no fault for this case; NotSupported is our choice.
//   - a mask entry without key -> task error InvalidArgument{invalidProperty: "mask"}.
//   - completeMasks true or unset, and a non-empty mask that does not name the CPU (a vendor key
//     and cpuid.FAMILY, MODEL, STEPPING, NUMLEVELS, NUM_EXT_LEVELS; see incompleteMask) -> task
//     error InvalidArgument{invalidProperty: "mask"}.
//   - otherwise runtime.featureMask (and summary.runtime.featureMask) := mask, or unset for
//     an empty mask; runtime.minRequiredEVCModeKey := the key of the supportedEVCMode whose
//     featureMask is exactly this mask (the value PowerCLI's per-VM EVC scripts read back),
//     unset if none matches or the mask is empty; config.changeVersion changes.
func (vm *virtualMachine) ApplyEvcModeVMTask(ctx *simulator.Context, req *types.ApplyEvcModeVM_Task) soap.HasFault {
	task := simulator.CreateTask(vm, "applyEvcMode", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
			return nil, &types.InvalidPowerState{
				RequestedState: types.VirtualMachinePowerStatePoweredOff,
				ExistingState:  vm.Runtime.PowerState,
			}
		}
		if !perVMEVCSupported(vm.Config.Version) {
			return nil, &types.NotSupported{}
		}
		for _, m := range req.Mask {
			if m.Key == "" {
				return nil, &types.InvalidArgument{InvalidProperty: "mask"}
			}
		}
		if completeMasks(req.CompleteMasks) && len(req.Mask) > 0 && len(incompleteMask(req.Mask)) > 0 {
			return nil, &types.InvalidArgument{InvalidProperty: "mask"}
		}

		var mask interface{}
		var modeKey interface{}
		if len(req.Mask) > 0 {
			masks := make([]types.HostFeatureMask, len(req.Mask))
			copy(masks, req.Mask)
			mask = masks
			if key := matchEVCMode(masks); key != "" {
				modeKey = key
			}
		}
		simulator.Map.Update(vm, []types.PropertyChange{
			{Name: "runtime.featureMask", Val: mask},
			{Name: "summary.runtime.featureMask", Val: mask},
			{Name: "runtime.minRequiredEVCModeKey", Val: modeKey},
			{Name: "summary.runtime.minRequiredEVCModeKey", Val: modeKey},
			{Name: "config.changeVersion", Val: nextChangeVersion()},
		})
		return nil, nil
	})

	return &methods.ApplyEvcModeVM_TaskBody{
		Res: &types.ApplyEvcModeVM_TaskResponse{Returnval: runTask(task, vm)},
	}
}

// completeMasks is ApplyEvcModeVM_Task's flag as the vSphere API reference defines it
// (ApplyEvcModeVMRequestType.completeMasks): "Defaults to true if not set."
func completeMasks(flag *bool) bool { return flag == nil || *flag }

// identityKeys are the entries that name the guest's CPU in vCenter's own per-VM EVC masks (the
// published Westmere and Sandy Bridge masks in tests/data/pervmevc carry all five with the vendor).
var identityKeys = []string{"cpuid.FAMILY", "cpuid.MODEL", "cpuid.STEPPING", "cpuid.NUMLEVELS", "cpuid.NUM_EXT_LEVELS"}

// incompleteMask returns what a mask sent with completeMasks true leaves unnamed of the guest's CPU:
// the vendor (cpuid.Intel, cpuid.AMD ...) and the identityKeys. The vSphere API reference,
// ApplyEvcModeVMRequestType.completeMasks: "A true value implies that any unspecified feature will
// not be exposed to the guest", so such a mask would give the guest no vendor, family 0 and no
// CPUID leaves. The reference names no fault of its own for this; the simulator refuses the mask
// with InvalidArgument{invalidProperty: "mask"}, the fault it gives a bad mask parameter, so that a
// client sending an incomplete mask fails here rather than making an unusable VM. Names compare
// case-insensitively and a value must be a Val:<number>, non-zero for all but MODEL and STEPPING.
func incompleteMask(mask []types.HostFeatureMask) []string {
	values := map[string]string{}
	for _, m := range mask {
		values[strings.ToLower(m.Key)] = m.Value
	}
	number := func(key string, zeroAllowed bool) bool {
		v, ok := values[strings.ToLower(key)]
		if !ok || !strings.HasPrefix(strings.ToLower(v), "val:") {
			return false
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v[4:]), 0, 32)
		return err == nil && (zeroAllowed || n != 0)
	}
	var missing []string
	if !number("cpuid.Intel", false) && !number("cpuid.AMD", false) && !number("cpuid.VIA", false) && !number("cpuid.Cyrix", false) {
		missing = append(missing, "vendor")
	}
	for _, key := range identityKeys {
		if !number(key, key == "cpuid.MODEL" || key == "cpuid.STEPPING") {
			missing = append(missing, key)
		}
	}
	return missing
}

func hwVersion(version string) int {
	m := hwVersionRE.FindStringSubmatch(version)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func perVMEVCSupported(version string) bool { return hwVersion(version) >= 14 }

// matchEVCMode returns the key of the supported EVC mode whose featureMask equals mask as a
// set of (key, value) pairs, or "".
func matchEVCMode(mask []types.HostFeatureMask) string {
	si, ok := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	if !ok {
		return ""
	}
	want := map[string]string{}
	for _, m := range mask {
		want[m.Key] = m.Value
	}
	for _, mode := range si.Capability.SupportedEVCMode {
		if len(mode.FeatureMask) != len(want) {
			continue
		}
		same := true
		for _, m := range mode.FeatureMask {
			if v, ok := want[m.Key]; !ok || v != m.Value {
				same = false
				break
			}
		}
		if same {
			return mode.Key
		}
	}
	return ""
}

// ---------------------------------------------------------------------------------------
// runtime.featureRequirement
//
// vSphere fills VirtualMachineRuntimeInfo.featureRequirement ("These requirements must have
// equivalent host capabilities featureCapability in order to power on, resume, or migrate
// to the host") while a VM runs, from the features it got at power-on; vcsim never fills
// it. powerHook watches every runtime.powerState change made through simulator.Map.Update
// (PowerOn/PowerOff/Reset/Suspend/ShutdownGuest all go through it) and:
//   - poweredOn: sets the requirement (inventory value if given, else derived, see below);
//   - poweredOff: clears it;
//   - suspended: keeps it (a suspended VM keeps its feature set).
// A migration does not recompute it, as on vSphere the set is fixed until power-off.
//
// Derived requirement (a plausible stand-in, not vSphere's algorithm): for each
// config.featureCapability entry of the VM's host, value "0" gives no requirement, "1"
// gives "Bool:Min:1", any other value v gives "Num:Min:v"; features the VM masks to zero are
// dropped: a runtime.featureMask entry with value "Val:0" (per-VM EVC) or an extraConfig
// entry featMask.vm.<key> = "Val:0" (e.g. featMask.vm.cpuid.AVX for cpuid.AVX).

type powerHook struct{}

var _ simulator.RegisterObject = powerHook{}

var powerHookRef = types.ManagedObjectReference{Type: "CpuidMaskPowerHook", Value: "cpuidmask-power-hook"}

func (powerHook) Reference() types.ManagedObjectReference   { return powerHookRef }
func (powerHook) PutObject(mo.Reference)                    {}
func (powerHook) RemoveObject(types.ManagedObjectReference) {}

func (powerHook) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	ref := obj.Reference()
	if ref.Type != "VirtualMachine" {
		return
	}
	var state types.VirtualMachinePowerState
	found := false
	for _, c := range changes {
		if c.Name == "runtime.powerState" {
			if s, ok := c.Val.(types.VirtualMachinePowerState); ok {
				state, found = s, true
			}
		}
	}
	if !found {
		return
	}
	vm, ok := simulator.Map.Get(ref).(*virtualMachine)
	if !ok {
		return
	}
	switch state {
	case types.VirtualMachinePowerStatePoweredOn:
		var req interface{}
		if r := vm.requirementAtPowerOn(); len(r) > 0 {
			req = r
		}
		simulator.Map.Update(vm, []types.PropertyChange{
			{Name: "runtime.featureRequirement", Val: req},
			{Name: "summary.runtime.featureRequirement", Val: req},
		})
	case types.VirtualMachinePowerStatePoweredOff:
		simulator.Map.Update(vm, []types.PropertyChange{
			{Name: "runtime.featureRequirement", Val: nil},
			{Name: "summary.runtime.featureRequirement", Val: nil},
		})
	}
}

func (vm *virtualMachine) requirementAtPowerOn() []types.VirtualMachineFeatureRequirement {
	if vm.hasFixed {
		out := make([]types.VirtualMachineFeatureRequirement, len(vm.fixedRequirement))
		copy(out, vm.fixedRequirement)
		return out
	}
	if vm.Runtime.Host == nil {
		return nil
	}
	host, ok := simulator.Map.Get(*vm.Runtime.Host).(*simulator.HostSystem)
	if !ok || host.Config == nil {
		return nil
	}
	masked := map[string]bool{}
	for _, m := range vm.Runtime.FeatureMask {
		if m.Value == "Val:0" {
			masked[m.Key] = true
		}
	}
	for _, o := range vm.Config.ExtraConfig {
		ov := o.GetOptionValue()
		if s, ok := ov.Value.(string); ok && s == "Val:0" && strings.HasPrefix(ov.Key, "featMask.vm.") {
			masked[strings.TrimPrefix(ov.Key, "featMask.vm.")] = true
		}
	}
	// Complete masks: the VM's per-VM EVC mask and the EVC mode in effect on its host (its cluster's).
	// vSphere Web Services API, ApplyEvcModeVM_Task: completeMasks "Defaults to true if not set. A true value
	// implies that any unspecified feature will not be exposed to the guest." ClusterEVCManagerEVCState.featureMask:
	// "The masks (modifications to a host's feature capabilities) that limit a host's capabilities to that of the
	// EVC mode baseline." So under either mask a cpuid.* feature it does not list, or lists as Val:0, is not
	// required; vcsim 0.24 knows neither.
	var complete []map[string]string
	if len(vm.Runtime.FeatureMask) > 0 {
		complete = append(complete, maskValues(vm.Runtime.FeatureMask))
	}
	if key := host.Summary.CurrentEVCModeKey; key != "" {
		if si, ok := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance); ok {
			for _, mode := range si.Capability.SupportedEVCMode {
				if mode.Key == key {
					complete = append(complete, maskValues(mode.FeatureMask))
				}
			}
		}
	}
	var out []types.VirtualMachineFeatureRequirement
	version := vmHardwareVersion(vm.Config.Version)
	for _, c := range host.Config.FeatureCapability {
		if masked[c.Key] || hiddenByCompleteMask(complete, c.Key) {
			continue
		}
		if first, ok := featureHardwareVersions[c.Key]; ok && version > 0 && version < first {
			continue // not exposed at the VM's hardware version (x86cpuid.h's first version per field)
		}
		// A complete mask's own value replaces the host's (ApplyEvcModeVM_Task's mask: "modifications to a host's
		// feature capabilities"): the identity entries of an EVC mode (cpuid.FAMILY, cpuid.MODEL, cpuid.NUMLEVELS
		// ...) give the guest the mode's reference CPU, so a VM powered on under the mode needs that, not the host's.
		capability := c.Value
		if v, ok := valueFromCompleteMask(complete, c.Key); ok {
			capability = v
		}
		var value string
		switch capability {
		case "0", "":
			continue
		case "1":
			value = "Bool:Min:1"
		default:
			value = fmt.Sprintf("Num:Min:%s", capability)
		}
		out = append(out, types.VirtualMachineFeatureRequirement{Key: c.Key, FeatureName: c.FeatureName, Value: value})
	}
	return out
}

func maskValues(list []types.HostFeatureMask) map[string]string {
	out := map[string]string{}
	for _, m := range list {
		out[m.Key] = m.Value
	}
	return out
}

// featureHardwareVersions is the inventory's table of each feature's first hardware version (see inventory.go).
var featureHardwareVersions = map[string]int{}

// vmHardwareVersion is N of config.version "vmx-N"; 0 when it is not of that form.
func vmHardwareVersion(version string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(version, "vmx-"))
	if err != nil || !strings.HasPrefix(version, "vmx-") {
		return 0
	}
	return n
}

// The value a complete mask sets for a key ("Val:0x3f" gives "0x3f"); the first mask that sets one wins (the VM's
// per-VM EVC mask comes before its cluster's EVC mode).
func valueFromCompleteMask(masks []map[string]string, key string) (string, bool) {
	for _, m := range masks {
		if v, ok := m[key]; ok && strings.HasPrefix(v, "Val:") {
			return strings.TrimPrefix(v, "Val:"), true
		}
	}
	return "", false
}

func hiddenByCompleteMask(masks []map[string]string, key string) bool {
	if !strings.HasPrefix(key, "cpuid.") {
		return false
	}
	for _, m := range masks {
		if v, ok := m[key]; !ok || v == "Val:0" {
			return true
		}
	}
	return false
}
