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
    param([Parameter(Mandatory)] [scriptblock] $Script, [hashtable] $Parameters = @{})
    $module = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path (Get-RepoRoot) 'artifacts/module/CpuidMask' }
    $shell = [powershell]::Create()
    try {
        $null = $shell.AddCommand('Import-Module').AddParameter('Name', $module).AddStatement()
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
    # both); -RequestLog: a file that gets one line per SOAP request (the method name).
    param([string] $CertificateKeyPath, [string] $RequestLog)
    $inventoryPath = Join-Path (Get-RepoRoot) 'tests/vcsim/inventory.json'
    $inventory = Get-Content -LiteralPath $inventoryPath -Raw | ConvertFrom-Json
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = Get-SimulatorPath
    $start.Arguments = '-inventory "{0}"' -f $inventoryPath
    if ($CertificateKeyPath) { $start.Arguments += ' -cert-key "{0}"' -f $CertificateKeyPath }
    if ($RequestLog) { $start.Arguments += ' -log-requests "{0}"' -f $RequestLog }
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
        Process    = $process
        Url        = $url
        Host       = ([uri]$url).Host
        Port       = ([uri]$url).Port
        Thumbprint = $thumbprint
        UserName   = $inventory.user
        RequestLog = $RequestLog
        Credential = New-Object System.Management.Automation.PSCredential ($inventory.user, $password)
    }
}

function Stop-TestVCenter {
    param($VCenter)
    if ($VCenter -and -not $VCenter.Process.HasExited) {
        # The launcher stops at the end of its standard input.
        $VCenter.Process.StandardInput.Close()
        if (-not $VCenter.Process.WaitForExit(10000)) { $VCenter.Process.Kill() }
    }
}

function Import-PowerCliFakes {
    # Connect-VIServer, Get-VMHost, Get-VM... that return PowerCLI's object types from the simulator (PowerCliFakes.psm1).
    Import-Module (Join-Path $PSScriptRoot 'PowerCliFakes.psm1') -Force -ErrorAction Stop
}
