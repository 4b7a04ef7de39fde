package main

// The inventory file: a JSON description of the vCenter the launcher simulates.
// The schema is documented in README.md; keep the two in step.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

type inventory struct {
	User     string     `json:"user"`
	Password string     `json:"password"`
	About    *aboutSpec `json:"about,omitempty"`

	Datacenter string `json:"datacenter"`

	// ServiceInstance.capability.supportedEVCMode
	SupportedEVCMode []evcModeSpec `json:"supportedEVCMode,omitempty"`

	Clusters []clusterSpec `json:"clusters,omitempty"`
	Hosts    []hostSpec    `json:"hosts,omitempty"` // standalone hosts
	VMs      []vmSpec      `json:"vms,omitempty"`

	// The first virtual hardware version whose guests see a feature, by vSphere key (cpuid.PSFD: 20), from the
	// feature catalog (which takes it from open-vm-tools' x86cpuid.h): ESXi exposes a CPUID field to a guest only
	// from that version on, so a VM of an older version never requires it. Keys not listed: every version.
	FeatureHardwareVersions map[string]int `json:"featureHardwareVersions,omitempty"`
}

// aboutSpec overrides ServiceContent.about (vcsim's own default is vCenter 6.5).
type aboutSpec struct {
	Version    string `json:"version,omitempty"`
	Build      string `json:"build,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
}

type clusterSpec struct {
	Name string `json:"name"`
	// ClusterComputeResource.summary.currentEVCModeKey (optional; unset = cluster EVC disabled)
	CurrentEVCModeKey string     `json:"currentEVCModeKey,omitempty"`
	Hosts             []hostSpec `json:"hosts"`
}

type hostSpec struct {
	Name string `json:"name"`
	// runtime.connectionState: connected (default), disconnected, notResponding
	ConnectionState string `json:"connectionState,omitempty"`
	// hardware.cpuPkg[].description and summary.hardware.cpuModel (the CPU brand string)
	CpuPkgDescription string `json:"cpuPkgDescription"`
	// number of hardware.cpuPkg entries (sockets); default 1
	NumCpuPkgs int `json:"numCpuPkgs,omitempty"`
	// hardware.cpuFeature (also copied to every hardware.cpuPkg[].cpuFeature)
	CpuFeature []cpuIDInfo `json:"cpuFeature"`
	// config.featureCapability
	FeatureCapability []featureTriple `json:"featureCapability,omitempty"`
	// summary.maxEVCModeKey, summary.currentEVCModeKey
	MaxEVCModeKey     string `json:"maxEVCModeKey,omitempty"`
	CurrentEVCModeKey string `json:"currentEVCModeKey,omitempty"`
	// summary.config.product.version / .build and config.product (optional)
	EsxVersion string `json:"esxVersion,omitempty"`
	EsxBuild   string `json:"esxBuild,omitempty"`
}

type vmSpec struct {
	Name string `json:"name"`
	Host string `json:"host"`
	// the VM folder it lives in, directly under the datacenter's vm folder (optional; default: that folder)
	Folder string `json:"folder,omitempty"`
	// runtime.powerState: poweredOff (default), poweredOn, suspended
	PowerState string `json:"powerState,omitempty"`
	// config.version, e.g. "vmx-13"; default vmx-13 (vcsim's default)
	Version string `json:"version,omitempty"`
	// config.guestId; default otherGuest64. Not checked against vcsim's (old) guest id list.
	GuestID       string `json:"guestId,omitempty"`
	GuestFullName string `json:"guestFullName,omitempty"`
	// config.extraConfig, in this order
	ExtraConfig []optionValue `json:"extraConfig,omitempty"`
	// runtime.featureRequirement while powered on; when absent it is derived from the host (README)
	FeatureRequirement []featureTriple `json:"featureRequirement,omitempty"`
	// runtime.featureMask (a per-VM EVC already applied)
	FeatureMask []featureTriple `json:"featureMask,omitempty"`
	// runtime.minRequiredEVCModeKey
	MinRequiredEVCModeKey string `json:"minRequiredEVCModeKey,omitempty"`
}

type optionValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// featureTriple is HostFeatureCapability, HostFeatureMask and VirtualMachineFeatureRequirement alike.
type featureTriple struct {
	Key         string `json:"key"`
	FeatureName string `json:"featureName,omitempty"` // defaults to key, as vSphere reports it
	Value       string `json:"value"`
}

type cpuIDInfo struct {
	Level  cpuidLevel `json:"level"`
	Vendor string     `json:"vendor,omitempty"`
	Eax    string     `json:"eax,omitempty"`
	Ebx    string     `json:"ebx,omitempty"`
	Ecx    string     `json:"ecx,omitempty"`
	Edx    string     `json:"edx,omitempty"`
}

type evcModeSpec struct {
	Key                   string          `json:"key"`
	Label                 string          `json:"label"`
	Summary               string          `json:"summary,omitempty"` // defaults to label
	Vendor                string          `json:"vendor"`
	VendorTier            int32           `json:"vendorTier"`
	Track                 []string        `json:"track,omitempty"`
	GuaranteedCPUFeatures []cpuIDInfo     `json:"guaranteedCPUFeatures,omitempty"`
	FeatureCapability     []featureTriple `json:"featureCapability,omitempty"`
	FeatureMask           []featureTriple `json:"featureMask,omitempty"`
	FeatureRequirement    []featureTriple `json:"featureRequirement,omitempty"`
}

// cpuidLevel is HostCpuIdInfo.level: a signed 32-bit int (0x80000001 is -2147483647).
// The JSON may give it as a number in [-2^31, 2^32-1] (values >= 2^31 are taken as the
// unsigned leaf number) or as a string "0x80000001".
type cpuidLevel int32

func (l *cpuidLevel) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
			return fmt.Errorf("level %q: a string level must be hex with a 0x prefix", s)
		}
		u, err := strconv.ParseUint(s[2:], 16, 32)
		if err != nil {
			return fmt.Errorf("level %q: %v", s, err)
		}
		*l = cpuidLevel(int32(uint32(u)))
		return nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return fmt.Errorf("level %s: expected a number or a \"0x...\" string", string(b))
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || i < math.MinInt32 || i > math.MaxUint32 {
		return fmt.Errorf("level %s: not a 32-bit integer", n.String())
	}
	*l = cpuidLevel(int32(uint32(i)))
	return nil
}

// A register as vSphere prints it: 32 characters, leftmost is bit 31, grouped in fours with colons.
var registerRE = regexp.MustCompile(`^[01-]{4}(:[01-]{4}){7}$`)

var hwVersionRE = regexp.MustCompile(`^vmx-([0-9]+)$`)

func loadInventory(path string) (*inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	inv := new(inventory)
	if err := dec.Decode(inv); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the inventory object", path)
	}
	if err := inv.validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return inv, nil
}

// placedHost is a host with the name of its cluster ("" for a standalone host).
type placedHost struct {
	Cluster string
	Host    *hostSpec
}

func (inv *inventory) allHosts() []placedHost {
	var out []placedHost
	for ci := range inv.Clusters {
		for hi := range inv.Clusters[ci].Hosts {
			out = append(out, placedHost{inv.Clusters[ci].Name, &inv.Clusters[ci].Hosts[hi]})
		}
	}
	for hi := range inv.Hosts {
		out = append(out, placedHost{"", &inv.Hosts[hi]})
	}
	return out
}

func (inv *inventory) validate() error {
	if inv.User == "" || inv.Password == "" {
		return fmt.Errorf("user and password are required")
	}
	if inv.Datacenter == "" {
		return fmt.Errorf("datacenter is required")
	}

	evcKeys := map[string]bool{}
	for i, m := range inv.SupportedEVCMode {
		where := fmt.Sprintf("supportedEVCMode[%d]", i)
		if m.Key == "" || m.Label == "" || m.Vendor == "" {
			return fmt.Errorf("%s: key, label and vendor are required", where)
		}
		if evcKeys[m.Key] {
			return fmt.Errorf("%s: duplicate key %q", where, m.Key)
		}
		evcKeys[m.Key] = true
		if err := validateCpuID(where+".guaranteedCPUFeatures", m.GuaranteedCPUFeatures); err != nil {
			return err
		}
		for _, list := range []struct {
			name string
			l    []featureTriple
		}{{"featureCapability", m.FeatureCapability}, {"featureMask", m.FeatureMask}, {"featureRequirement", m.FeatureRequirement}} {
			if err := validateTriples(where+"."+list.name, list.l); err != nil {
				return err
			}
		}
	}
	checkEVCKey := func(where, key string) error {
		if key != "" && len(inv.SupportedEVCMode) > 0 && !evcKeys[key] {
			return fmt.Errorf("%s: %q is not in supportedEVCMode", where, key)
		}
		return nil
	}

	clusterNames := map[string]bool{}
	for i, c := range inv.Clusters {
		where := fmt.Sprintf("clusters[%d]", i)
		if c.Name == "" {
			return fmt.Errorf("%s: name is required", where)
		}
		if clusterNames[c.Name] {
			return fmt.Errorf("%s: duplicate cluster name %q", where, c.Name)
		}
		clusterNames[c.Name] = true
		if err := checkEVCKey(where+".currentEVCModeKey", c.CurrentEVCModeKey); err != nil {
			return err
		}
	}

	hostNames := map[string]bool{}
	for _, ch := range inv.allHosts() {
		h := ch.Host
		where := fmt.Sprintf("host %q", h.Name)
		if h.Name == "" {
			return fmt.Errorf("a host has no name")
		}
		if hostNames[h.Name] {
			return fmt.Errorf("%s: duplicate host name", where)
		}
		hostNames[h.Name] = true
		switch h.ConnectionState {
		case "":
			h.ConnectionState = "connected"
		case "connected", "disconnected", "notResponding":
		default:
			return fmt.Errorf("%s: connectionState %q is not connected|disconnected|notResponding", where, h.ConnectionState)
		}
		if h.CpuPkgDescription == "" {
			return fmt.Errorf("%s: cpuPkgDescription is required", where)
		}
		if h.NumCpuPkgs == 0 {
			h.NumCpuPkgs = 1
		}
		if h.NumCpuPkgs < 1 || h.NumCpuPkgs > 16 {
			return fmt.Errorf("%s: numCpuPkgs %d out of range 1..16", where, h.NumCpuPkgs)
		}
		if err := validateCpuID(where+".cpuFeature", h.CpuFeature); err != nil {
			return err
		}
		if err := validateTriples(where+".featureCapability", h.FeatureCapability); err != nil {
			return err
		}
		if err := checkEVCKey(where+".maxEVCModeKey", h.MaxEVCModeKey); err != nil {
			return err
		}
		if err := checkEVCKey(where+".currentEVCModeKey", h.CurrentEVCModeKey); err != nil {
			return err
		}
	}

	vmNames := map[string]bool{}
	for i := range inv.VMs {
		vm := &inv.VMs[i]
		where := fmt.Sprintf("vms[%d] %q", i, vm.Name)
		if vm.Name == "" {
			return fmt.Errorf("vms[%d]: name is required", i)
		}
		if vmNames[vm.Name] {
			return fmt.Errorf("%s: duplicate VM name", where)
		}
		vmNames[vm.Name] = true
		if !hostNames[vm.Host] {
			return fmt.Errorf("%s: host %q is not in the inventory", where, vm.Host)
		}
		if strings.ContainsAny(vm.Folder, "/%\\") {
			return fmt.Errorf("%s: folder %q: a folder name cannot contain '/', '\\' or '%%'", where, vm.Folder)
		}
		switch vm.PowerState {
		case "":
			vm.PowerState = "poweredOff"
		case "poweredOff", "poweredOn", "suspended":
		default:
			return fmt.Errorf("%s: powerState %q is not poweredOn|poweredOff|suspended", where, vm.PowerState)
		}
		if vm.Version == "" {
			vm.Version = "vmx-13"
		}
		if !hwVersionRE.MatchString(vm.Version) {
			return fmt.Errorf("%s: version %q is not vmx-N", where, vm.Version)
		}
		if vm.GuestID == "" {
			vm.GuestID = "otherGuest64"
		}
		keys := map[string]bool{}
		for j, o := range vm.ExtraConfig {
			if o.Key == "" || o.Value == "" {
				return fmt.Errorf("%s: extraConfig[%d]: key and value must be non-empty", where, j)
			}
			if keys[o.Key] {
				return fmt.Errorf("%s: extraConfig: duplicate key %q", where, o.Key)
			}
			keys[o.Key] = true
		}
		if err := validateTriples(where+".featureRequirement", vm.FeatureRequirement); err != nil {
			return err
		}
		if err := validateTriples(where+".featureMask", vm.FeatureMask); err != nil {
			return err
		}
		if err := checkEVCKey(where+".minRequiredEVCModeKey", vm.MinRequiredEVCModeKey); err != nil {
			return err
		}
	}
	return nil
}

func validateCpuID(where string, list []cpuIDInfo) error {
	seen := map[cpuidLevel]bool{}
	for i, c := range list {
		if seen[c.Level] {
			return fmt.Errorf("%s[%d]: duplicate level %d", where, i, c.Level)
		}
		seen[c.Level] = true
		for _, r := range []struct{ name, val string }{{"eax", c.Eax}, {"ebx", c.Ebx}, {"ecx", c.Ecx}, {"edx", c.Edx}} {
			if r.val != "" && !registerRE.MatchString(r.val) {
				return fmt.Errorf("%s[%d].%s: %q is not 8 colon-separated groups of four 0/1/- characters", where, i, r.name, r.val)
			}
		}
	}
	return nil
}

func validateTriples(where string, list []featureTriple) error {
	seen := map[string]bool{}
	for i := range list {
		if list[i].Key == "" {
			return fmt.Errorf("%s[%d]: key is required", where, i)
		}
		if seen[list[i].Key] {
			return fmt.Errorf("%s[%d]: duplicate key %q", where, i, list[i].Key)
		}
		seen[list[i].Key] = true
		if list[i].FeatureName == "" {
			list[i].FeatureName = list[i].Key
		}
	}
	return nil
}
