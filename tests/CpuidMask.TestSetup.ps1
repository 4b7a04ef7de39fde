# Shared setup for the Pester tests (dot-sourced in BeforeAll; not a test file itself).
# The module under test is the staged build (./build.ps1 -Task Build), or $env:CPUIDMASK_MODULE.

# Plain variables: dot-sourced in BeforeAll (or BeforeDiscovery), they are visible to every test of the block.
function Get-RepoRoot { Split-Path -Parent $PSScriptRoot }

$RepoRoot = Get-RepoRoot
$Samples = Join-Path $RepoRoot 'docs/samples'
$Avoton = Join-Path $Samples 'avoton-c2750.txt'
$IvyBridge = Join-Path $Samples 'ivybridge-i7-3770k.txt'

# DOMAIN.md section 6: the mask that lets a VM move both ways between the Atom C2750 and the i7-3770.
$WorkedCaseLines = @(
    'cpuid.1.ecx = "--00-0---0----0-----------------"'
    'cpuid.7.ebx = "-------------------------------0"'
    'cpuid.d.eax = "-----------------------------00-"'
    'cpuid.80000001.ecx = "-----------------------0--------"'
)
$AvotonOnly = @('MOVBE', 'PREFETCHW')
$IvyBridgeOnly = @('AVX', 'F16C', 'FSGSBASE', 'PCID', 'XSAVE', 'XSAVE_SSE', 'XSAVE_YMM')

function Import-CpuidMaskUnderTest {
    $module = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path (Get-RepoRoot) 'artifacts/module/CpuidMask' }
    if (-not (Test-Path -LiteralPath $module)) {
        throw "The module is not built ($module is missing): run ./build.ps1 -Task Build first."
    }
    Import-Module $module -Force -ErrorAction Stop
}

function Invoke-WithProgress {
    # Runs a script in a fresh runspace with the module under test loaded and returns what it wrote to the progress
    # stream (Write-Progress records are not redirectable like the other streams). Parameters go in by name.
    # To tell what came first, the script can pipe output (and errors, 2>&1) to Add-ProgressMark, which turns each into
    # '<Name or error id> after <the last progress record's RecordType>'.
    param([Parameter(Mandatory)] [scriptblock] $Script, [hashtable] $Parameters = @{})
    $module = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path (Get-RepoRoot) 'artifacts/module/CpuidMask' }
    $shell = [powershell]::Create()
    try {
        $null = $shell.AddCommand('Import-Module').AddParameter('Name', $module).AddStatement()
        $null = $shell.AddCommand('Set-Variable').AddParameter('Name', 'ProgressSoFar').AddParameter('Value', $shell.Streams.Progress).AddStatement()
        $null = $shell.AddScript({
                filter Add-ProgressMark {
                    $what = if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId } else { $_.Name }
                    $last = if ($ProgressSoFar.Count) { $ProgressSoFar[$ProgressSoFar.Count - 1].RecordType } else { 'no progress' }
                    "$what after $last"
                }
            }.ToString()).AddStatement()
        $null = $shell.AddScript($Script.ToString())
        foreach ($name in $Parameters.Keys) { $null = $shell.AddParameter($name, $Parameters[$name]) }
        $output = $shell.Invoke()
        [pscustomobject]@{ Output = @($output); Progress = @($shell.Streams.Progress); Errors = @($shell.Streams.Error) }
    }
    finally {
        $shell.Dispose()
    }
}

function Get-SimulatorPath {
    foreach ($name in 'vcsim', 'vcsim.exe') {
        $path = Join-Path (Get-RepoRoot) "tests/vcsim/bin/$name"
        if (Test-Path -LiteralPath $path) { return $path }
    }
    return $null
}

function Start-TestVCenter {
    # The repository's vCenter simulator (tests/vcsim, built by tests/vcsim/build.sh) with the committed
    # inventory: hosts esx-avoton-01 and esx-ivy-01 carry the worked case's CPUs. Every run starts fresh.
    # -CertificateKeyPath: simulators started with the same file share one certificate (one -Thumbprint fits
    # both); -RequestLog: a file that gets one line per SOAP request (the method name); -Delay and
    # -TaskDuration: a vCenter's latency (every request waits -Delay; reconfigure tasks run -TaskDuration).
    # Faults and latency at run time: Add-TestVCenterFault and the functions below (tests/vcsim/README.md).
    # -InventoryFile: another inventory of tests/vcsim, e.g. 'compliance.json' (one VM per compliance status).
    # -MaxObjects: the simulator sends at most this many objects per RetrievePropertiesEx page, whatever the client
    # asks, so a read of a few objects takes several pages as one of thousands does on a real vCenter.
    param([string] $CertificateKeyPath, [string] $RequestLog, [timespan] $Delay = 0, [timespan] $TaskDuration = 0, [string] $InventoryFile = 'inventory.json',
        [int] $MaxObjects = 0)
    $inventoryPath = Join-Path (Get-RepoRoot) "tests/vcsim/$InventoryFile"
    $inventory = Get-Content -LiteralPath $inventoryPath -Raw | ConvertFrom-Json
    $stem = Join-Path ([System.IO.Path]::GetTempPath()) ('cpuidmask-vcsim-{0}' -f [guid]::NewGuid().ToString('N'))
    $certificatePath = "$stem.pem"
    # The launcher's diagnostics (each control command, each fault fired) go to a file, not Pester's output.
    $logPath = "$stem.log"
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = Get-SimulatorPath
    $start.Arguments = '-inventory "{0}" -cert-out "{1}" -log "{2}"' -f $inventoryPath, $certificatePath, $logPath
    if ($CertificateKeyPath) { $start.Arguments += ' -cert-key "{0}"' -f $CertificateKeyPath }
    if ($RequestLog) { $start.Arguments += ' -log-requests "{0}"' -f $RequestLog }
    if ($Delay -gt 0) { $start.Arguments += ' -delay {0}' -f (ConvertTo-GoDuration $Delay) }
    if ($TaskDuration -gt 0) { $start.Arguments += ' -task-duration {0}' -f (ConvertTo-GoDuration $TaskDuration) }
    if ($MaxObjects -gt 0) { $start.Arguments += ' -max-objects {0}' -f $MaxObjects }
    $start.UseShellExecute = $false
    $start.RedirectStandardInput = $true
    $start.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($start)
    $url = $null
    $thumbprint = $null
    while (-not $url) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { throw 'The vCenter simulator exited before printing VCSIM_URL.' }
        if ($line.StartsWith('VCSIM_THUMBPRINT=')) { $thumbprint = $line.Substring('VCSIM_THUMBPRINT='.Length) }
        elseif ($line.StartsWith('VCSIM_URL=')) { $url = $line.Substring('VCSIM_URL='.Length) }
    }
    $password = ConvertTo-SecureString -String $inventory.password -AsPlainText -Force
    [pscustomobject]@{
        Process         = $process
        Url             = $url
        Host            = ([uri]$url).Host
        Port            = ([uri]$url).Port
        Thumbprint      = $thumbprint
        UserName        = $inventory.user
        RequestLog      = $RequestLog
        CertificatePath = $certificatePath
        LogPath         = $logPath
        Credential      = New-Object System.Management.Automation.PSCredential ($inventory.user, $password)
        Reader          = $null   # readvms.py --serve, started by the first Read-TestVCenterVm
    }
}

function Stop-TestVCenter {
    param($VCenter)
    if (-not $VCenter) { return }
    if ($VCenter.Reader -and -not $VCenter.Reader.HasExited) {
        $VCenter.Reader.StandardInput.Close()
        if (-not $VCenter.Reader.WaitForExit(10000)) { $VCenter.Reader.Kill() }
    }
    if (-not $VCenter.Process.HasExited) {
        # The launcher stops at the end of its standard input.
        $VCenter.Process.StandardInput.Close()
        if (-not $VCenter.Process.WaitForExit(10000)) { $VCenter.Process.Kill() }
    }
    Remove-Item -LiteralPath $VCenter.CertificatePath, $VCenter.LogPath -ErrorAction SilentlyContinue
}

function ConvertTo-GoDuration {
    # A TimeSpan as the launcher's flags and control commands read it (Go's time.ParseDuration).
    param([Parameter(Mandatory)] [timespan] $Span)
    '{0}ms' -f [long]$Span.TotalMilliseconds
}

function Send-TestVCenterCommand {
    # One control command on the launcher's stdin (tests/vcsim/README.md, "Control protocol"). Returns the reply
    # after VCSIM_OK as a hashtable of its key=value pairs; a VCSIM_ERROR reply throws with the launcher's reason.
    param([Parameter(Mandatory)] $VCenter, [Parameter(Mandatory)] [string] $Command)
    $VCenter.Process.StandardInput.WriteLine($Command)
    $VCenter.Process.StandardInput.Flush()
    $reply = $VCenter.Process.StandardOutput.ReadLine()
    if ($null -eq $reply) { throw "The vCenter simulator exited before answering '$Command'." }
    if ($reply -notmatch '^VCSIM_OK( |$)') { throw "The vCenter simulator refused '$Command': $reply" }
    $pairs = @{}
    foreach ($pair in ($reply.Substring('VCSIM_OK'.Length).Trim() -split ' ' | Where-Object { $_ })) {
        $key, $value = $pair -split '=', 2
        $pairs[$key] = $value
    }
    $pairs
}

function Add-TestVCenterFault {
    # Arms a fault: 'KIND METHOD [on VM] [at N | from N | every] [times K] [for DURATION]', e.g.
    # 'drop-answer ReconfigVM_Task at 40' or 'strip-change-version RetrievePropertiesEx every'.
    param([Parameter(Mandatory)] $VCenter, [Parameter(Mandatory)] [string] $Fault)
    $reply = Send-TestVCenterCommand -VCenter $VCenter -Command "fault $Fault"
    [pscustomobject]@{ Id = [int]$reply.id; Target = $reply.target; Spec = $Fault }
}

function Get-TestVCenterFault {
    # What a fault did so far: Seen (requests it matched), Fired, Held (frozen now), Active.
    param([Parameter(Mandatory)] $VCenter, [Parameter(Mandatory)] [int] $Id)
    $s = Send-TestVCenterCommand -VCenter $VCenter -Command "status $Id"
    [pscustomobject]@{
        Id = [int]$s.id; Kind = $s.kind; Method = $s.method; Target = $s.target
        Seen = [int]$s.seen; Fired = [int]$s.fired; Held = [int]$s.held; Active = $s.active -eq 'true'
    }
}

function Wait-TestVCenterFault {
    # Blocks until the fault's counter (Seen, Fired or Held) reaches -Count; throws after -Timeout.
    param([Parameter(Mandatory)] $VCenter, [Parameter(Mandatory)] [int] $Id,
        [ValidateSet('Seen', 'Fired', 'Held')] [string] $Counter = 'Fired', [int] $Count = 1, [timespan] $Timeout = '00:00:10')
    $null = Send-TestVCenterCommand -VCenter $VCenter -Command ('wait {0} {1} {2} {3}' -f $Id, $Counter.ToLowerInvariant(), $Count, (ConvertTo-GoDuration $Timeout))
}

function Resume-TestVCenterRequest {
    # Lets go the requests a freeze fault holds (all faults without -Id); they are then performed. Returns how many.
    param([Parameter(Mandatory)] $VCenter, [int] $Id)
    $command = if ($Id) { "release $Id" } else { 'release' }
    [int](Send-TestVCenterCommand -VCenter $VCenter -Command $command).released
}

function Clear-TestVCenterFault {
    # Disarms every fault and lets go every frozen request.
    param([Parameter(Mandatory)] $VCenter)
    $null = Send-TestVCenterCommand -VCenter $VCenter -Command 'clear'
}

function Set-TestVCenterLatency {
    # -Delay: every SOAP request waits this long; -TaskDuration: reconfigure and per-VM EVC tasks run this long.
    param([Parameter(Mandatory)] $VCenter, [Nullable[timespan]] $Delay, [Nullable[timespan]] $TaskDuration)
    if ($null -ne $Delay) { $null = Send-TestVCenterCommand -VCenter $VCenter -Command ('delay ' + (ConvertTo-GoDuration $Delay)) }
    if ($null -ne $TaskDuration) { $null = Send-TestVCenterCommand -VCenter $VCenter -Command ('task-duration ' + (ConvertTo-GoDuration $TaskDuration)) }
}

function Read-TestVCenterVm {
    # The VMs as the independent reader sees them (tests/vcsim/readvms.py: Debian's pyVmomi, no CpuidMask code):
    # Name, Moref, ChangeVersion, ExtraConfig (Key/Value, server order), FeatureMask (Key/FeatureName/Value).
    # Reads through the launcher's direct endpoint, which no fault, delay or request-log line touches; the reader
    # stays logged in between calls. -Name: only these VMs (a name no VM has throws).
    param([Parameter(Mandatory)] $VCenter, [string[]] $Name = @())
    if (-not $VCenter.Reader -or $VCenter.Reader.HasExited) {
        # Debian's interpreter: python3-pyvmomi is installed for it, and a python3 first on PATH may not see it.
        $start = New-Object System.Diagnostics.ProcessStartInfo
        $start.FileName = '/usr/bin/python3'
        foreach ($arg in @((Join-Path (Get-RepoRoot) 'tests/vcsim/readvms.py'), '--url', $VCenter.Url, '--cacert', $VCenter.CertificatePath,
                '--user', $VCenter.UserName, '--serve')) {
            $start.ArgumentList.Add($arg)
        }
        $start.Environment['VCSIM_PASSWORD'] = $VCenter.Credential.GetNetworkCredential().Password
        $start.UseShellExecute = $false
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $VCenter.Reader = [System.Diagnostics.Process]::Start($start)
    }
    $VCenter.Reader.StandardInput.WriteLine((ConvertTo-Json -InputObject @($Name) -Compress))
    $VCenter.Reader.StandardInput.Flush()
    $line = $VCenter.Reader.StandardOutput.ReadLine()
    if ($null -eq $line) { throw 'readvms.py exited without answering (its message is above).' }
    # System.Text.Json, not ConvertFrom-Json, which turns a changeVersion time-stamp into a DateTime and back
    # into another string.
    $document = [System.Text.Json.JsonDocument]::Parse($line)
    try {
        $root = $document.RootElement
        if ($root.ValueKind -eq [System.Text.Json.JsonValueKind]::Object) { throw "readvms.py: $($root.GetProperty('error').GetString())" }
        foreach ($vm in $root.EnumerateArray()) {
            $changeVersion = $vm.GetProperty('changeVersion')
            [pscustomobject]@{
                Name          = $vm.GetProperty('name').GetString()
                Moref         = $vm.GetProperty('moref').GetString()
                ChangeVersion = if ($changeVersion.ValueKind -eq [System.Text.Json.JsonValueKind]::Null) { $null } else { $changeVersion.GetString() }
                ExtraConfig   = @($vm.GetProperty('extraConfig').EnumerateArray() | ForEach-Object {
                        $value = $_.GetProperty('value')
                        [pscustomobject]@{ Key = $_.GetProperty('key').GetString(); Value = if ($value.ValueKind -eq [System.Text.Json.JsonValueKind]::Null) { $null } else { $value.GetString() } }
                    })
                FeatureMask   = @($vm.GetProperty('featureMask').EnumerateArray() | ForEach-Object {
                        [pscustomobject]@{ Key = $_.GetProperty('key').GetString(); FeatureName = $_.GetProperty('featureName').GetString(); Value = $_.GetProperty('value').GetString() }
                    })
            }
        }
    }
    finally {
        $document.Dispose()
    }
}

function Import-PowerCliFakes {
    # Connect-VIServer, Get-VMHost, Get-VM... that return PowerCLI's object types from the simulator (PowerCliFakes.psm1).
    Import-Module (Join-Path $PSScriptRoot 'PowerCliFakes.psm1') -Force -ErrorAction Stop
}
