#!/usr/bin/env bash
# End-to-end check of the vcsim launcher with raw SOAP over curl.
#
# Starts tests/vcsim/bin/vcsim (build it with build.sh) on the sample inventory, then:
# logs in (bad password -> InvalidLogin, good password), pages through a ContainerView with
# RetrievePropertiesEx/ContinueRetrievePropertiesEx, reads a host's hardware.cpuFeature and a
# VM's config.extraConfig, reconfigures extraConfig twice with the same key (one entry
# remains), deletes a key with an empty value, sends a stale changeVersion (ConcurrentAccess,
# nothing changed), checks ApplyEvcModeVM_Task and runtime.featureRequirement, checks the
# request log, drives the control protocol on stdin (drop-answer, strip-change-version, clear,
# delay, task-duration, logout), and stops the launcher by closing its stdin.
#
# TLS: the launcher writes its self-signed certificate with -cert-out and curl trusts exactly
# that certificate (--cacert); no --insecure.
#
# Exits non-zero on the first mismatch. Usage: tests/vcsim/smoke.sh [path/to/vcsim]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BIN="${1:-$HERE/bin/vcsim}"
INVENTORY="$HERE/inventory.sample.json"

command -v curl >/dev/null || { echo "smoke: curl is required (apt-get install -y curl)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "smoke: $BIN not found; run $HERE/build.sh first" >&2; exit 1; }

WORK="$(mktemp -d)"
LAUNCHER_PID=""
cleanup() {
	if [ -n "$LAUNCHER_PID" ] && kill -0 "$LAUNCHER_PID" 2>/dev/null; then
		kill "$LAUNCHER_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
	echo "smoke: FAIL: $*" >&2
	if [ -s "$WORK/resp.xml" ]; then
		echo "--- last response:" >&2
		head -c 4000 "$WORK/resp.xml" >&2
		echo >&2
	fi
	if [ -s "$WORK/vcsim.err" ]; then
		echo "--- launcher stderr:" >&2
		tail -n 20 "$WORK/vcsim.err" >&2
	fi
	exit 1
}
ok() { echo "smoke: ok: $*"; }

# ---------------------------------------------------------------------------------------
# Start the launcher. A coprocess gives us a pipe to its stdin (closing it stops the
# launcher) and one from its stdout (the VCSIM_* lines).
REQLOG="$WORK/requests.log"
CERT="$WORK/vcsim.pem"
coproc VCSIM { exec "$BIN" -inventory "$INVENTORY" -log-requests "$REQLOG" -cert-out "$CERT" 2>"$WORK/vcsim.err"; }
LAUNCHER_PID=$VCSIM_PID
VCSIM_OUT=${VCSIM[0]}
VCSIM_IN=${VCSIM[1]}

URL="" THUMBPRINT=""
while IFS= read -r -t 60 -u "$VCSIM_OUT" line; do
	case "$line" in
	VCSIM_THUMBPRINT=*) THUMBPRINT="${line#VCSIM_THUMBPRINT=}" ;;
	VCSIM_URL=*) URL="${line#VCSIM_URL=}"; break ;;
	*) fail "unexpected stdout line: $line" ;;
	esac
done
[ -n "$URL" ] || fail "the launcher printed no VCSIM_URL"
[[ "$URL" =~ ^https://127\.0\.0\.1:[0-9]+/sdk$ ]] || fail "bad URL: $URL"
[[ "$THUMBPRINT" =~ ^([0-9A-F]{2}:){31}[0-9A-F]{2}$ ]] || fail "bad thumbprint: $THUMBPRINT"
# The thumbprint is the SHA-256 of the DER certificate written by -cert-out.
if command -v openssl >/dev/null; then
	want=$(openssl x509 -in "$CERT" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1 | tr a-f A-F | sed 's/../&:/g; s/:$//')
	[ "$want" = "$THUMBPRINT" ] || fail "thumbprint $THUMBPRINT does not match the certificate ($want)"
fi
ok "launcher up at $URL"

# ---------------------------------------------------------------------------------------
# SOAP helpers. Every call is counted, to check the request log at the end.
CALLS=0
COOKIES="$WORK/cookies"
soap_try() { # soap_try BODY-XML -> as soap, and curl's exit status in $CURL_RC
	CALLS=$((CALLS + 1))
	CURL_RC=0
	rm -f "$WORK/resp.xml"
	STATUS=$(curl -sS --cacert "$CERT" -b "$COOKIES" -c "$COOKIES" -o "$WORK/resp.xml" -w '%{http_code} %{time_total}' \
		-H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: urn:vim25/7.0.3.0' \
		--data-binary "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>$1</soapenv:Body></soapenv:Envelope>" \
		"$URL" 2>"$WORK/curl.err") || CURL_RC=$?
	ELAPSED=${STATUS#* }
	STATUS=${STATUS%% *}
}
soap() { # soap BODY-XML -> response in $WORK/resp.xml, HTTP status in $STATUS, seconds in $ELAPSED
	soap_try "$1"
	[ "$CURL_RC" = 0 ] || fail "curl failed ($CURL_RC): $(cat "$WORK/curl.err")"
}
expect_status() { [ "$STATUS" = "$1" ] || fail "$2: HTTP $STATUS, expected $1"; }
has() { grep -qF -- "$1" "$WORK/resp.xml"; }
expect() { has "$1" || fail "$2: response lacks $1"; }
expect_not() { ! has "$1" || fail "$2: response has $1"; }
count() { grep -oF -- "$1" "$WORK/resp.xml" | wc -l; }
# moref TYPE NAME: the moref of the object named NAME in the last response
moref() {
	sed 's/<objects>/\n<objects>/g' "$WORK/resp.xml" | grep -F ">$2</val>" |
		sed -n "s/.*<obj type=\"$1\">\([^<]*\)<\/obj>.*/\1/p" | head -n 1
}
returnval() { sed -n "s/.*<returnval type=\"$1\">\([^<]*\)<\/returnval>.*/\1/p" "$WORK/resp.xml"; }

PC='<_this type="PropertyCollector">propertyCollector</_this>'
# props TYPE MOREF PATH... : RetrievePropertiesEx of some properties of one object
props() {
	local type=$1 ref=$2 paths="" p
	shift 2
	for p in "$@"; do paths="$paths<pathSet>$p</pathSet>"; done
	soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>$type</type>$paths</propSet><objectSet><obj type=\"$type\">$ref</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
	expect_status 200 "RetrievePropertiesEx $type $ref"
}
# task_result TASK-MOREF: info.state into $TASK_STATE; the response keeps info.error
task_result() {
	props Task "$1" info.state info.error
	TASK_STATE=$(sed -n 's/.*<name>info.state<\/name><val[^>]*>\([a-z]*\)<\/val>.*/\1/p' "$WORK/resp.xml")
}
extra_option() { # extra_option KEY VALUE -> an OptionValue element; empty VALUE = remove
	echo "<extraConfig xsi:type=\"OptionValue\"><key>$1</key><value xsi:type=\"xsd:string\">$2</value></extraConfig>"
}
reconfigure() { # reconfigure VM-MOREF SPEC-INNER-XML -> $TASK_STATE
	soap "<ReconfigVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$1</_this><spec>$2</spec></ReconfigVM_Task>"
	expect_status 200 "ReconfigVM_Task"
	local task
	task=$(returnval Task)
	[ -n "$task" ] || fail "ReconfigVM_Task returned no task"
	task_result "$task"
}
vm_config() { # vm_config VM-MOREF -> $CHANGE_VERSION; the response keeps config.extraConfig
	props VirtualMachine "$1" config.extraConfig config.changeVersion
	CHANGE_VERSION=$(sed -n 's/.*<name>config.changeVersion<\/name><val[^>]*>\([^<]*\)<\/val>.*/\1/p' "$WORK/resp.xml")
	[ -n "$CHANGE_VERSION" ] || fail "no config.changeVersion"
}

# ---------------------------------------------------------------------------------------
soap '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
expect_status 200 "RetrieveServiceContent"
expect '<apiVersion>7.0.3.0</apiVersion>' "RetrieveServiceContent"
ok "RetrieveServiceContent"

soap '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>administrator@vsphere.local</userName><password>wrong</password></Login>'
expect_status 500 "Login with a bad password"
expect 'InvalidLoginFault' "Login with a bad password"
ok "bad password -> InvalidLogin"

soap '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>administrator@vsphere.local</userName><password>Pa55w.rd!</password></Login>'
expect_status 200 "Login"
expect '<userName>administrator@vsphere.local</userName>' "Login"
ok "login"

# supportedEVCMode on the ServiceInstance
props ServiceInstance ServiceInstance capability.supportedEVCMode
expect '<key>intel-westmere</key>' "capability.supportedEVCMode"
[ "$(count '<vendorTier>')" = 3 ] || fail "capability.supportedEVCMode: expected 3 modes"
ok "ServiceInstance capability.supportedEVCMode"

# All hosts and VMs through a ContainerView, 3 objects per page (5 objects: 2 pages).
soap '<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">ViewManager</_this><container type="Folder">group-d1</container><type>HostSystem</type><type>VirtualMachine</type><recursive>true</recursive></CreateContainerView>'
expect_status 200 "CreateContainerView"
VIEW=$(returnval ContainerView)
[ -n "$VIEW" ] || fail "no ContainerView"
soap "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>HostSystem</type><pathSet>name</pathSet></propSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type=\"ContainerView\">$VIEW</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>3</maxObjects></options></RetrievePropertiesEx>"
expect_status 200 "RetrievePropertiesEx (page 1)"
[ "$(count '<objects>')" = 3 ] || fail "page 1: expected 3 objects"
TOKEN=$(sed -n 's/.*<token>\([^<]*\)<\/token>.*/\1/p' "$WORK/resp.xml")
[ -n "$TOKEN" ] || fail "page 1: no token"
cp "$WORK/resp.xml" "$WORK/page1.xml"
soap "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\">$PC<token>$TOKEN</token></ContinueRetrievePropertiesEx>"
expect_status 200 "ContinueRetrievePropertiesEx"
[ "$(count '<objects>')" = 2 ] || fail "page 2: expected 2 objects"
expect_not '<token>' "page 2 is the last"
cat "$WORK/page1.xml" >>"$WORK/resp.xml"
AVOTON=$(moref HostSystem esx-avoton.lab.local)
IVY=$(moref HostSystem esx-ivy.lab.local)
WEB01=$(moref VirtualMachine web01)
DB01=$(moref VirtualMachine db01)
BUILD01=$(moref VirtualMachine build01)
for v in AVOTON IVY WEB01 DB01 BUILD01; do [ -n "${!v}" ] || fail "no moref for $v"; done
soap "<ContinueRetrievePropertiesEx xmlns=\"urn:vim25\">$PC<token>$TOKEN</token></ContinueRetrievePropertiesEx>"
expect_status 500 "ContinueRetrievePropertiesEx with a used token"
expect 'InvalidArgumentFault' "ContinueRetrievePropertiesEx with a used token"
ok "paging: 3 + 2 objects, token, used token refused"

# Host data
props HostSystem "$AVOTON" hardware.cpuFeature hardware.cpuPkg config.featureCapability summary.maxEVCModeKey runtime.connectionState
# leaf 0x80000001 (level -2147483647): ECX 0x00000101 (LAHF64, PREFETCHW), EDX 0x28100000
expect '<level>-2147483647</level><eax>0000:0000:0000:0000:0000:0000:0000:0000</eax><ebx>0000:0000:0000:0000:0000:0000:0000:0000</ebx><ecx>0000:0000:0000:0000:0000:0001:0000:0001</ecx><edx>0010:1000:0001:0000:0000:0000:0000:0000</edx>' "hardware.cpuFeature"
expect '<level>0</level><vendor>GenuineIntel</vendor>' "hardware.cpuFeature"
expect '<description>Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz</description>' "hardware.cpuPkg"
expect '<key>cpuid.MOVBE</key><featureName>cpuid.MOVBE</featureName><value>1</value>' "config.featureCapability"
expect '>intel-westmere</val>' "summary.maxEVCModeKey"
expect '>connected</val>' "runtime.connectionState"
ok "host hardware.cpuFeature, cpuPkg, featureCapability, maxEVCModeKey"

# ---------------------------------------------------------------------------------------
# extraConfig and changeVersion on web01 (powered on, vmx-13)
vm_config "$WEB01"
expect '<key>tools.syncTime</key>' "web01 config.extraConfig"
expect '<key>cpuid.80000001.ecx</key>' "web01 config.extraConfig"
CV0=$CHANGE_VERSION
ok "VM config.extraConfig read (changeVersion $CV0)"

reconfigure "$WEB01" "$(extra_option cpuid.1.ecx -------------------------------0)"
[ "$TASK_STATE" = success ] || fail "first reconfigure: task $TASK_STATE"
vm_config "$WEB01"
CV1=$CHANGE_VERSION
[ "$CV1" != "$CV0" ] || fail "changeVersion did not change after a reconfigure"
reconfigure "$WEB01" "<changeVersion>$CV1</changeVersion>$(extra_option cpuid.1.ecx --00-0---0----0-----------------)"
[ "$TASK_STATE" = success ] || fail "second reconfigure: task $TASK_STATE"
vm_config "$WEB01"
CV2=$CHANGE_VERSION
[ "$CV2" != "$CV1" ] || fail "changeVersion did not change after the second reconfigure"
[ "$(count '<key>cpuid.1.ecx</key>')" = 1 ] || fail "cpuid.1.ecx appears $(count '<key>cpuid.1.ecx</key>') times, expected once"
expect '>--00-0---0----0-----------------<' "cpuid.1.ecx holds the second value"
expect_not '>-------------------------------0<' "the first value is gone"
ok "same key written twice: one entry, last value"

reconfigure "$WEB01" "$(extra_option tools.syncTime '')"
[ "$TASK_STATE" = success ] || fail "delete reconfigure: task $TASK_STATE"
vm_config "$WEB01"
CV3=$CHANGE_VERSION
expect_not '<key>tools.syncTime</key>' "empty value removes the key"
expect '<key>cpuid.1.ecx</key>' "other keys stay"
expect '<key>cpuid.80000001.ecx</key>' "other keys stay"
ok "empty value deletes the key"

cp "$WORK/resp.xml" "$WORK/before-stale.xml"
reconfigure "$WEB01" "<changeVersion>$CV1</changeVersion>$(extra_option cpuid.7.ebx -------------------------------0)"
[ "$TASK_STATE" = error ] || fail "stale changeVersion: task $TASK_STATE, expected error"
expect 'type="ConcurrentAccess"' "stale changeVersion"
vm_config "$WEB01"
[ "$CHANGE_VERSION" = "$CV3" ] || fail "stale changeVersion changed config.changeVersion"
expect_not '<key>cpuid.7.ebx</key>' "stale changeVersion applied extraConfig"
cmp -s "$WORK/resp.xml" "$WORK/before-stale.xml" || fail "stale changeVersion changed config.extraConfig"
reconfigure "$WEB01" "<changeVersion>$CV3</changeVersion>$(extra_option cpuid.7.ebx -------------------------------0)"
[ "$TASK_STATE" = success ] || fail "current changeVersion: task $TASK_STATE"
ok "stale changeVersion -> ConcurrentAccess, nothing changed; current changeVersion accepted"

# ---------------------------------------------------------------------------------------
# runtime.featureRequirement and per-VM EVC
props VirtualMachine "$WEB01" runtime.featureRequirement
expect '<key>cpuid.MOVBE</key><featureName>cpuid.MOVBE</featureName><value>Bool:Min:1</value>' "web01 runtime.featureRequirement"
expect '<value>Num:Min:0x80000008</value>' "web01 runtime.featureRequirement"
ok "powered-on VM has runtime.featureRequirement"

apply_evc() { # apply_evc VM-MOREF MASK-XML [COMPLETE-MASKS, default true] -> $TASK_STATE
	soap "<ApplyEvcModeVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$1</_this>$2<completeMasks>${3:-true}</completeMasks></ApplyEvcModeVM_Task>"
	expect_status 200 "ApplyEvcModeVM_Task"
	task_result "$(returnval Task)"
}
WESTMERE_MASK=""
for f in AVX XSAVE PCID F16C FSGSBASE MOVBE 3DNPREFETCH; do
	WESTMERE_MASK="$WESTMERE_MASK<mask><key>cpuid.$f</key><featureName>cpuid.$f</featureName><value>Val:0</value></mask>"
done

apply_evc "$WEB01" "$WESTMERE_MASK"
[ "$TASK_STATE" = error ] || fail "ApplyEvcModeVM_Task on a powered-on VM: task $TASK_STATE"
expect 'type="InvalidPowerState"' "ApplyEvcModeVM_Task on a powered-on VM"
ok "ApplyEvcModeVM_Task on a powered-on VM -> InvalidPowerState"

soap "<PowerOffVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$WEB01</_this></PowerOffVM_Task>"
expect_status 200 "PowerOffVM_Task"
task_result "$(returnval Task)"
[ "$TASK_STATE" = success ] || fail "PowerOffVM_Task: task $TASK_STATE"
props VirtualMachine "$WEB01" runtime.featureRequirement runtime.powerState
expect '>poweredOff</val>' "web01 powered off"
expect_not '<VirtualMachineFeatureRequirement>' "featureRequirement cleared at power-off"
apply_evc "$WEB01" "$WESTMERE_MASK"
[ "$TASK_STATE" = error ] || fail "ApplyEvcModeVM_Task on vmx-13: task $TASK_STATE"
expect 'type="NotSupported"' "ApplyEvcModeVM_Task on vmx-13"
ok "powered-off vmx-13 VM: featureRequirement cleared, ApplyEvcModeVM_Task -> NotSupported"

vm_config "$DB01"
CVDB=$CHANGE_VERSION
# The sample's modes list only what they hide: with completeMasks true (everything unnamed hidden) the
# mask would not name the guest's CPU, and the simulator refuses it; with false it hides just these.
apply_evc "$DB01" "$WESTMERE_MASK"
[ "$TASK_STATE" = error ] || fail "ApplyEvcModeVM_Task with a mask that names no CPU and completeMasks true: task $TASK_STATE"
expect 'type="InvalidArgument"' "ApplyEvcModeVM_Task with an incomplete mask"
expect '<invalidProperty>mask</invalidProperty>' "ApplyEvcModeVM_Task with an incomplete mask"
ok "ApplyEvcModeVM_Task with completeMasks true and no vendor/FAMILY/MODEL/STEPPING/NUMLEVELS/NUM_EXT_LEVELS -> InvalidArgument mask"
apply_evc "$DB01" "$WESTMERE_MASK" false
[ "$TASK_STATE" = success ] || fail "ApplyEvcModeVM_Task on db01: task $TASK_STATE"
props VirtualMachine "$DB01" runtime.featureMask runtime.minRequiredEVCModeKey config.changeVersion
expect '<key>cpuid.FSGSBASE</key><featureName>cpuid.FSGSBASE</featureName><value>Val:0</value>' "db01 runtime.featureMask"
expect '>intel-westmere</val>' "db01 runtime.minRequiredEVCModeKey"
expect_not ">$CVDB<" "db01 config.changeVersion changed"
apply_evc "$DB01" ""
[ "$TASK_STATE" = success ] || fail "ApplyEvcModeVM_Task with an empty mask: task $TASK_STATE"
props VirtualMachine "$DB01" runtime.featureMask runtime.minRequiredEVCModeKey
expect_not '<HostFeatureMask>' "empty mask clears runtime.featureMask"
expect_not 'intel-westmere' "empty mask clears runtime.minRequiredEVCModeKey"
ok "ApplyEvcModeVM_Task sets and clears runtime.featureMask / minRequiredEVCModeKey"

# db01 masks AVX with featMask.vm.cpuid.AVX = Val:0: at power-on its requirement lacks AVX.
soap "<PowerOnVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$DB01</_this></PowerOnVM_Task>"
expect_status 200 "PowerOnVM_Task"
task_result "$(returnval Task)"
[ "$TASK_STATE" = success ] || fail "PowerOnVM_Task: task $TASK_STATE"
props VirtualMachine "$DB01" runtime.featureRequirement
expect '<key>cpuid.FSGSBASE</key>' "db01 runtime.featureRequirement"
expect_not '<key>cpuid.AVX</key>' "db01 runtime.featureRequirement honours featMask.vm.cpuid.AVX"
ok "featureRequirement at power-on honours featMask"

# ---------------------------------------------------------------------------------------
# Request log: one line per request, written before the response.
[ -f "$REQLOG" ] || fail "no request log"
LINES=$(wc -l <"$REQLOG")
[ "$LINES" = "$CALLS" ] || fail "request log has $LINES lines, $CALLS requests were sent"
[ "$(grep -cx ContinueRetrievePropertiesEx "$REQLOG")" = 2 ] || fail "request log: expected 2 ContinueRetrievePropertiesEx"
[ "$(grep -cx ReconfigVM_Task "$REQLOG")" = 5 ] || fail "request log: expected 5 ReconfigVM_Task"
grep -qx Login "$REQLOG" || fail "request log: no Login"
ok "request log: $LINES lines, one per request"

# ---------------------------------------------------------------------------------------
# Control protocol on stdin: injected faults and latency.
ctl() { # ctl COMMAND -> the reply line in $REPLY_LINE
	printf '%s\n' "$1" >&"$VCSIM_IN"
	IFS= read -r -t 30 -u "$VCSIM_OUT" REPLY_LINE || fail "no reply to '$1'"
}
ctl "fault explode ReconfigVM_Task"
[[ "$REPLY_LINE" == 'VCSIM_ERROR unknown fault kind "explode"'* ]] || fail "bad fault kind: $REPLY_LINE"
ctl "fault drop-answer RetrieveServiceContent"
[ "$REPLY_LINE" = "VCSIM_OK id=1 target=*" ] || fail "fault drop-answer: $REPLY_LINE"
soap_try '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
[ "$CURL_RC" = 52 ] || fail "drop-answer: curl exit $CURL_RC, expected 52 (empty reply)"
ctl "status 1"
[[ "$REPLY_LINE" == *" seen=1 fired=1 "* ]] || fail "status 1: $REPLY_LINE"
grep -q 'fault 1 (drop-answer RetrieveServiceContent): RetrieveServiceContent on ServiceInstance, occurrence 1' "$WORK/vcsim.err" || fail "no stderr line for fault 1"
ok "drop-answer: empty reply, counted, logged"

ctl "fault strip-change-version RetrievePropertiesEx every"
props VirtualMachine "$WEB01" name config.changeVersion
expect '>web01<' "strip-change-version keeps other properties"
expect_not 'config.changeVersion' "strip-change-version"
ctl "clear"
[ "$REPLY_LINE" = "VCSIM_OK cleared=2 released=0" ] || fail "clear: $REPLY_LINE"
vm_config "$WEB01"
ok "strip-change-version removes config.changeVersion from answers until cleared"

ctl "delay 300ms"
soap '<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>'
awk -v t="$ELAPSED" 'BEGIN { exit !(t >= 0.3) }' || fail "delay 300ms: the request took ${ELAPSED}s"
ctl "delay 0"
ok "delay: a request took ${ELAPSED}s"

ctl "task-duration 1s"
vm_config "$BUILD01"
soap "<ReconfigVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$BUILD01</_this><spec><changeVersion>$CHANGE_VERSION</changeVersion>$(extra_option smoke.task done)</spec></ReconfigVM_Task>"
expect_status 200 "ReconfigVM_Task with a task duration"
TASK=$(returnval Task)
task_result "$TASK"
[ "$TASK_STATE" = running ] || fail "task-duration: task $TASK_STATE right after the call, expected running"
props VirtualMachine "$BUILD01" config.extraConfig
expect_not '<key>smoke.task</key>' "the change lands when the task finishes"
sleep 1.3
task_result "$TASK"
[ "$TASK_STATE" = success ] || fail "task-duration: task $TASK_STATE after 1.3 s"
props VirtualMachine "$BUILD01" config.extraConfig
expect '<key>smoke.task</key>' "the change landed"
ctl "task-duration 0"
ok "task-duration: running, then success with the change"

ctl "fault logout RetrievePropertiesEx"
for attempt in "logout fault" "after a logout fault"; do
	soap_try "<RetrievePropertiesEx xmlns=\"urn:vim25\">$PC<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet></propSet><objectSet><obj type=\"VirtualMachine\">$WEB01</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
	expect_status 500 "$attempt"
	expect 'NotAuthenticatedFault' "$attempt"
done
ok "logout: NotAuthenticated for that call and the next"

# ---------------------------------------------------------------------------------------
# Stop: close the launcher's stdin and expect a clean exit.
exec {VCSIM_IN}>&-
for _ in $(seq 1 100); do
	kill -0 "$LAUNCHER_PID" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$LAUNCHER_PID" 2>/dev/null; then
	fail "the launcher did not stop after stdin was closed"
fi
rc=0
wait "$LAUNCHER_PID" || rc=$?
LAUNCHER_PID=""
[ "$rc" = 0 ] || fail "the launcher exited with $rc"
ok "launcher stopped on end of stdin"
echo "smoke: PASS"
