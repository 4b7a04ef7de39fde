package main

// Building the simulated vCenter from the inventory.
//
// The topology (datacenter, clusters, hosts, datastore, VMs, power state) is created through
// vcsim's own SOAP methods with an in-process govmomi client (simulator.Service is a
// soap.RoundTripper), the way simulator.Model.Create does it. The data vcsim has no notion
// of (CPUID leaves, feature capabilities, EVC modes, changeVersion, ...) is then written
// into the registry objects directly, before the server accepts any connection.

import (
	"context"
	"fmt"
	"os"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

const datastoreName = "LocalDS_0"

type simulation struct {
	model   *simulator.Model
	tempDir string // backing directory of the datastore
}

func (s *simulation) cleanup() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

func populate(inv *inventory, maxObjects int) (sim *simulation, err error) {
	ctx := context.Background()

	m := simulator.VPX()
	// An empty vCenter: no generated datacenters, hosts, clusters, datastores, VMs.
	m.Datacenter, m.Portgroup, m.Host, m.Cluster, m.ClusterHost, m.Datastore, m.Machine = 0, 0, 0, 0, 0, 0, 0
	m.Autostart = false
	// vcsim's default ServiceContent says vCenter 6.5 (API 6.5), older than per-VM EVC (6.7).
	m.ServiceContent.About.Version = "7.0.3"
	m.ServiceContent.About.Build = "20150588"
	m.ServiceContent.About.ApiVersion = "7.0.3.0"
	if a := inv.About; a != nil {
		if a.Version != "" {
			m.ServiceContent.About.Version = a.Version
		}
		if a.Build != "" {
			m.ServiceContent.About.Build = a.Build
		}
		if a.APIVersion != "" {
			m.ServiceContent.About.ApiVersion = a.APIVersion
		}
	}
	ab := &m.ServiceContent.About
	ab.FullName = fmt.Sprintf("VMware vCenter Server %s build-%s", ab.Version, ab.Build)

	if err := m.Create(); err != nil {
		return nil, fmt.Errorf("creating the empty vCenter: %v", err)
	}
	sim = &simulation{model: m}
	defer func() {
		if err != nil {
			sim.cleanup()
			sim = nil
		}
	}()

	// Replace the PropertyCollector singleton by the paging wrapper (propcollector.go) before
	// any session instantiates its per-session copy from the registered type.
	pcRef := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance).Content.PropertyCollector
	pc := &propertyCollector{}
	pc.Self = pcRef
	simulator.Map.Put(pc)
	paging.policyMax = maxObjects

	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return sim, err
	}

	// ServiceInstance.capability.supportedEVCMode
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	si.Capability.SupportedEVCMode = nil
	for _, e := range inv.SupportedEVCMode {
		summary := e.Summary
		if summary == "" {
			summary = e.Label
		}
		si.Capability.SupportedEVCMode = append(si.Capability.SupportedEVCMode, types.EVCMode{
			ElementDescription: types.ElementDescription{
				Description: types.Description{Label: e.Label, Summary: summary},
				Key:         e.Key,
			},
			GuaranteedCPUFeatures: toCpuID(e.GuaranteedCPUFeatures),
			FeatureCapability:     toCapabilities(e.FeatureCapability),
			FeatureMask:           toMasks(e.FeatureMask),
			FeatureRequirement:    toRequirements(e.FeatureRequirement),
			Vendor:                e.Vendor,
			Track:                 append([]string(nil), e.Track...),
			VendorTier:            e.VendorTier,
		})
	}

	dc, err := object.NewRootFolder(c).CreateDatacenter(ctx, inv.Datacenter)
	if err != nil {
		return sim, fmt.Errorf("datacenter %q: %v", inv.Datacenter, err)
	}
	folders, err := dc.Folders(ctx)
	if err != nil {
		return sim, err
	}

	hostRefs := map[string]*object.HostSystem{}
	addHost := func(h *hostSpec, task *object.Task, err error) error {
		if err != nil {
			return fmt.Errorf("host %q: %v", h.Name, err)
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return fmt.Errorf("host %q: %v", h.Name, err)
		}
		hostRefs[h.Name] = object.NewHostSystem(c, info.Result.(types.ManagedObjectReference))
		return nil
	}
	for ci := range inv.Clusters {
		cs := &inv.Clusters[ci]
		cl, err := folders.HostFolder.CreateCluster(ctx, cs.Name, types.ClusterConfigSpecEx{})
		if err != nil {
			return sim, fmt.Errorf("cluster %q: %v", cs.Name, err)
		}
		for hi := range cs.Hosts {
			h := &cs.Hosts[hi]
			task, err := cl.AddHost(ctx, types.HostConnectSpec{HostName: h.Name}, true, nil, nil)
			if err := addHost(h, task, err); err != nil {
				return sim, err
			}
		}
		if cs.CurrentEVCModeKey != "" {
			obj := simulator.Map.Get(cl.Reference()).(*simulator.ClusterComputeResource)
			if s, ok := obj.Summary.(*types.ClusterComputeResourceSummary); ok {
				s.CurrentEVCModeKey = cs.CurrentEVCModeKey
			}
		}
	}
	for hi := range inv.Hosts {
		h := &inv.Hosts[hi]
		task, err := folders.HostFolder.AddStandaloneHost(ctx, types.HostConnectSpec{HostName: h.Name}, true, nil, nil)
		if err := addHost(h, task, err); err != nil {
			return sim, err
		}
	}

	// One local datastore, mounted on every host, for the VMs' files.
	if len(hostRefs) > 0 {
		sim.tempDir, err = os.MkdirTemp("", "cpuidmask-vcsim-")
		if err != nil {
			return sim, err
		}
		for _, ph := range inv.allHosts() {
			dss, err := hostRefs[ph.Host.Name].ConfigManager().DatastoreSystem(ctx)
			if err != nil {
				return sim, err
			}
			if _, err := dss.CreateLocalDatastore(ctx, datastoreName, sim.tempDir); err != nil {
				return sim, fmt.Errorf("datastore on %q: %v", ph.Host.Name, err)
			}
		}
	}

	// VMs, created powered off, each in its folder (made on first use).
	vmFolders := map[string]*object.Folder{"": folders.VmFolder}
	vmRefs := make([]types.ManagedObjectReference, len(inv.VMs))
	for i := range inv.VMs {
		v := &inv.VMs[i]
		folder, ok := vmFolders[v.Folder]
		if !ok {
			if folder, err = folders.VmFolder.CreateFolder(ctx, v.Folder); err != nil {
				return sim, fmt.Errorf("vm %q: folder %q: %v", v.Name, v.Folder, err)
			}
			vmFolders[v.Folder] = folder
		}
		host := hostRefs[v.Host]
		pool, err := host.ResourcePool(ctx)
		if err != nil {
			return sim, fmt.Errorf("vm %q: %v", v.Name, err)
		}
		spec := types.VirtualMachineConfigSpec{
			Name:    v.Name,
			Version: v.Version,
			GuestId: string(types.VirtualMachineGuestOsIdentifierOtherGuest64),
			Files:   &types.VirtualMachineFileInfo{VmPathName: "[" + datastoreName + "]"},
		}
		task, err := folder.CreateVM(ctx, spec, pool, host)
		if err != nil {
			return sim, fmt.Errorf("vm %q: %v", v.Name, err)
		}
		info, err := task.WaitForResult(ctx, nil)
		if err != nil {
			return sim, fmt.Errorf("vm %q: %v", v.Name, err)
		}
		vmRefs[i] = info.Result.(types.ManagedObjectReference)
	}

	// Host data vcsim does not model.
	for _, ph := range inv.allHosts() {
		applyHost(simulator.Map.Get(hostRefs[ph.Host.Name].Reference()).(*simulator.HostSystem), ph.Host)
	}

	// VM data, and the wrapper type that carries our method overrides (vm.go).
	for i := range inv.VMs {
		v := &inv.VMs[i]
		orig := simulator.Map.Get(vmRefs[i]).(*simulator.VirtualMachine)
		w := &virtualMachine{VirtualMachine: *orig}
		applyVM(w, v)
		simulator.Map.Put(w)
	}

	// From here on every power state change maintains runtime.featureRequirement.
	simulator.Map.AddHandler(powerHook{})

	for i := range inv.VMs {
		v := &inv.VMs[i]
		if v.PowerState == "poweredOff" {
			continue
		}
		vm := object.NewVirtualMachine(c, vmRefs[i])
		task, err := vm.PowerOn(ctx)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err == nil && v.PowerState == "suspended" {
			if task, err = vm.Suspend(ctx); err == nil {
				err = task.Wait(ctx)
			}
		}
		if err != nil {
			return sim, fmt.Errorf("vm %q: power %s: %v", v.Name, v.PowerState, err)
		}
	}

	// Connection state last: vcsim does not refuse operations on a disconnected host, but the
	// setup above is simpler with every host connected.
	for _, ph := range inv.allHosts() {
		state := types.HostSystemConnectionState(ph.Host.ConnectionState)
		if state == types.HostSystemConnectionStateConnected {
			continue
		}
		h := simulator.Map.Get(hostRefs[ph.Host.Name].Reference()).(*simulator.HostSystem)
		h.Runtime.ConnectionState = state // summary.runtime points at the same struct
		for _, ref := range h.Vm {
			if vm, ok := simulator.Map.Get(ref).(*virtualMachine); ok {
				// vCenter shows the VMs of a host it cannot reach as disconnected.
				vm.Runtime.ConnectionState = types.VirtualMachineConnectionStateDisconnected
				vm.Summary.Runtime.ConnectionState = types.VirtualMachineConnectionStateDisconnected
			}
		}
	}

	return sim, nil
}

func applyHost(h *simulator.HostSystem, spec *hostSpec) {
	features := toCpuID(spec.CpuFeature)

	// vcsim's hosts share the slices of its template hardware (a shallow copy), so every list
	// here is a new one.
	hw := h.Hardware
	hw.CpuFeature = features
	vendor := ""
	for _, f := range features {
		if f.Level == 0 {
			vendor = cpuPkgVendor(f.Vendor)
		}
	}
	var tmpl types.HostCpuPackage
	if len(hw.CpuPkg) > 0 {
		tmpl = hw.CpuPkg[0]
	}
	pkgs := make([]types.HostCpuPackage, spec.NumCpuPkgs)
	for i := range pkgs {
		pkgs[i] = types.HostCpuPackage{
			Index:       int16(i),
			Vendor:      vendor,
			Hz:          tmpl.Hz,
			BusHz:       tmpl.BusHz,
			Description: spec.CpuPkgDescription,
			CpuFeature:  toCpuID(spec.CpuFeature),
		}
	}
	hw.CpuPkg = pkgs
	hw.CpuInfo.NumCpuPackages = int16(spec.NumCpuPkgs)

	h.Summary.Hardware.CpuModel = spec.CpuPkgDescription
	h.Summary.Hardware.NumCpuPkgs = int16(spec.NumCpuPkgs)
	h.Summary.MaxEVCModeKey = spec.MaxEVCModeKey
	h.Summary.CurrentEVCModeKey = spec.CurrentEVCModeKey

	h.Config.FeatureCapability = toCapabilities(spec.FeatureCapability)

	if spec.EsxVersion != "" || spec.EsxBuild != "" {
		product := h.Config.Product // a copy; summary.config.product points at vcsim's template
		if spec.EsxVersion != "" {
			product.Version = spec.EsxVersion
		}
		if spec.EsxBuild != "" {
			product.Build = spec.EsxBuild
		}
		product.FullName = fmt.Sprintf("VMware ESXi %s build-%s", product.Version, product.Build)
		h.Config.Product = product
		p := product
		h.Summary.Config.Product = &p
	}
}

// cpuPkgVendor maps the CPUID vendor string to HostCpuPackage.vendor ("intel", "amd", ...).
func cpuPkgVendor(v string) string {
	switch v {
	case "GenuineIntel":
		return "intel"
	case "AuthenticAMD":
		return "amd"
	case "HygonGenuine":
		return "hygon"
	}
	return "unknown"
}

func applyVM(w *virtualMachine, spec *vmSpec) {
	// The inventory's extraConfig replaces vcsim's default list ("govcsim" = "TRUE").
	w.Config.ExtraConfig = nil
	for _, o := range spec.ExtraConfig {
		w.Config.ExtraConfig = append(w.Config.ExtraConfig, &types.OptionValue{Key: o.Key, Value: o.Value})
	}

	// Set directly: vcsim 0.24 rejects guest ids newer than its list.
	full := spec.GuestFullName
	if full == "" {
		full = spec.GuestID
	}
	w.Config.GuestId = spec.GuestID
	w.Config.GuestFullName = full
	w.Summary.Config.GuestId = spec.GuestID
	w.Summary.Config.GuestFullName = full
	if w.Summary.Guest != nil {
		w.Summary.Guest.GuestId = spec.GuestID
	}

	w.Config.ChangeVersion = nextChangeVersion()
	supported := perVMEVCSupported(spec.Version)
	w.Capability.PerVmEvcSupported = &supported

	if len(spec.FeatureMask) > 0 {
		w.Runtime.FeatureMask = toMasks(spec.FeatureMask)
		w.Summary.Runtime.FeatureMask = toMasks(spec.FeatureMask)
	}
	w.Runtime.MinRequiredEVCModeKey = spec.MinRequiredEVCModeKey
	w.Summary.Runtime.MinRequiredEVCModeKey = spec.MinRequiredEVCModeKey

	if spec.FeatureRequirement != nil {
		w.hasFixed = true
		w.fixedRequirement = toRequirements(spec.FeatureRequirement)
	}
}

func toCpuID(list []cpuIDInfo) []types.HostCpuIdInfo {
	if len(list) == 0 {
		return nil
	}
	out := make([]types.HostCpuIdInfo, len(list))
	for i, c := range list {
		out[i] = types.HostCpuIdInfo{Level: int32(c.Level), Vendor: c.Vendor, Eax: c.Eax, Ebx: c.Ebx, Ecx: c.Ecx, Edx: c.Edx}
	}
	return out
}

func toCapabilities(list []featureTriple) []types.HostFeatureCapability {
	var out []types.HostFeatureCapability
	for _, f := range list {
		out = append(out, types.HostFeatureCapability{Key: f.Key, FeatureName: f.FeatureName, Value: f.Value})
	}
	return out
}

func toMasks(list []featureTriple) []types.HostFeatureMask {
	var out []types.HostFeatureMask
	for _, f := range list {
		out = append(out, types.HostFeatureMask{Key: f.Key, FeatureName: f.FeatureName, Value: f.Value})
	}
	return out
}

func toRequirements(list []featureTriple) []types.VirtualMachineFeatureRequirement {
	out := []types.VirtualMachineFeatureRequirement{}
	for _, f := range list {
		out = append(out, types.VirtualMachineFeatureRequirement{Key: f.Key, FeatureName: f.FeatureName, Value: f.Value})
	}
	return out
}
