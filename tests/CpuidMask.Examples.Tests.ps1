#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Every example of docs/*.md runs as written and does what its text says.
#
# The examples are read from the markdown (### Example N: Title, its ```powershell block, the prose after it),
# so a new example is run automatically, and fails until $Checks below says what it must do. Each help page runs
# in a session of its own, as a user would read it: a runspace that finds CpuidMask on $env:PSModulePath (the
# staged module, with its samples folder), has PowerCLI (the fakes of PowerCliFakes.psm1, connected to a vCenter
# simulator named vc01 when the page needs one) and a host that records what a console would show (What if:
# lines, confirmation prompts, which it answers, and credential prompts). Examples of a page run in order in
# that session, one command line at a time.
#
# What is checked: every command runs without an error or a warning the help does not show; the WARNING:, What if: and
# error lines the help shows are exactly the ones written; plain text output (.vmx lines, XML) is exactly the
# text shown; and per example, $Checks asserts what the text claims, reading VMs back through PowerCLI's view.
#
# The help uses placeholder names (vm01, h1, the cluster Lab); a check maps them to the simulator's inventory
# (tests/CpuidMask.Integration.Tests/VcsimInventory.cs: the vm-doc VMs are there for these examples).

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')

    function Get-HelpExample {
        # The examples of one docs/<Cmdlet>.md: for each, its command lines and the output shown under each.
        param([Parameter(Mandatory)] [string] $Path)
        $page = [IO.Path]::GetFileNameWithoutExtension($Path)
        $lines = (Get-Content -LiteralPath $Path -Raw) -split "\r?\n"
        $inExamples = $false
        $examples = [System.Collections.Generic.List[hashtable]]::new()
        $current = $null
        $state = 'prose'
        foreach ($line in $lines) {
            if ($line -match '^## ') {
                $inExamples = $line -eq '## EXAMPLES'
                $current = $null
                continue
            }
            if (-not $inExamples) { continue }
            if ($line -match '^### Example (\d+): (.+)$') {
                $current = @{ Page = $Page; Number = [int]$Matches[1]; Title = $Matches[2].Trim(); Commands = [System.Collections.Generic.List[hashtable]]::new(); Prose = ''; HasCode = $false }
                $current.Key = '{0}/{1}' -f $page, $current.Title
                $examples.Add($current)
                $state = 'heading'
                continue
            }
            if (-not $current) { continue }
            if ($state -eq 'heading' -and $line -eq '```powershell') { $state = 'code'; $current.HasCode = $true; continue }
            if ($state -eq 'code') {
                if ($line -eq '```') { $state = 'prose'; continue }
                if ($line.StartsWith('PS C:\> ')) {
                    $current.Commands.Add(@{ Code = $line.Substring('PS C:\> '.Length); Shown = [System.Collections.Generic.List[string]]::new() })
                }
                elseif ($current.Commands.Count) {
                    $current.Commands[$current.Commands.Count - 1].Shown.Add($line)
                }
                continue
            }
            if ($state -eq 'prose') { $current.Prose += $line + "`n" }
        }
        foreach ($example in $examples) {
            foreach ($command in $example.Commands) {
                # Blank lines around a command's output are layout, not output.
                $shown = @($command.Shown)
                while ($shown.Count -and -not $shown[0].Trim()) { $shown = @($shown | Select-Object -Skip 1) }
                while ($shown.Count -and -not $shown[-1].Trim()) { $shown = @($shown | Select-Object -SkipLast 1) }
                $command.Shown = $shown
            }
            $example.Commands = @($example.Commands)
        }
        @{ Page = $page; Examples = @($examples) }
    }

    $Pages = foreach ($file in Get-ChildItem -Path (Join-Path $RepoRoot 'docs') -Filter '*.md' | Sort-Object Name) {
        $page = Get-HelpExample -Path $file.FullName
        if ($page.Examples.Count) { $page }
    }
    $HasSimulator = [bool](Get-SimulatorPath)
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'CpuidMask.TestSetup.ps1')
    Import-CpuidMaskUnderTest
    $HasSimulator = [bool](Get-SimulatorPath)
    # How an error of one of the module's cmdlets is shown: "Set-VmCpuidMask: message".
    $ErrorLinePattern = '^({0}): ' -f ((Get-Command -Module CpuidMask).Name -join '|')
    $Inventory = Get-Content -LiteralPath (Join-Path $RepoRoot 'tests/vcsim/inventory.json') -Raw | ConvertFrom-Json

    # The examples find the module as a user does: on $env:PSModulePath, by name.
    $moduleUnderTest = if ($env:CPUIDMASK_MODULE) { $env:CPUIDMASK_MODULE } else { Join-Path $RepoRoot 'artifacts/module/CpuidMask' }
    $moduleFolder = Get-Item -LiteralPath $moduleUnderTest
    while ($moduleFolder -and $moduleFolder.Name -ne 'CpuidMask') { $moduleFolder = if ($moduleFolder -is [IO.FileInfo]) { $moduleFolder.Directory } else { $moduleFolder.Parent } }
    if (-not $moduleFolder) { throw "The module under test ($moduleUnderTest) is not in a folder named CpuidMask, so it cannot be found on PSModulePath." }
    $SavedModulePath = $env:PSModulePath
    $env:PSModulePath = $moduleFolder.Parent.FullName + [IO.Path]::PathSeparator + $env:PSModulePath

    if (-not ('CpuidMaskExamples.RecordingHost' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace CpuidMaskExamples
{
    /// <summary>A console stand-in: records what it would print and the prompts, and answers them as told.</summary>
    public sealed class RecordingHost : PSHost
    {
        private readonly Guid _id = Guid.NewGuid();
        private readonly RecordingHostUserInterface _ui = new RecordingHostUserInterface();

        public override string Name { get { return "CpuidMaskExamples"; } }
        public override Version Version { get { return new Version(1, 0); } }
        public override Guid InstanceId { get { return _id; } }
        public override PSHostUserInterface UI { get { return _ui; } }
        public RecordingHostUserInterface Recorder { get { return _ui; } }
        public override CultureInfo CurrentCulture { get { return CultureInfo.CurrentCulture; } }
        public override CultureInfo CurrentUICulture { get { return CultureInfo.CurrentUICulture; } }
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() { throw new NotSupportedException("The examples run no nested prompt."); }
        public override void ExitNestedPrompt() { throw new NotSupportedException("The examples run no nested prompt."); }
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }

    public sealed class RecordingHostUserInterface : PSHostUserInterface
    {
        private readonly StringBuilder _pending = new StringBuilder();

        public RecordingHostUserInterface()
        {
            Lines = new List<string>();
            Prompts = new List<string>();
            Choice = "&Yes";
        }

        /// <summary>What a console would have printed (What if: lines, Write-Host).</summary>
        public List<string> Lines { get; private set; }

        /// <summary>Every confirmation and credential prompt, as "caption: message".</summary>
        public List<string> Prompts { get; private set; }

        /// <summary>The label of the choice to answer confirmations with: "&amp;Yes", "Yes to &amp;All", "&amp;No".</summary>
        public string Choice { get; set; }

        /// <summary>What Get-Credential gets.</summary>
        public PSCredential Credential { get; set; }

        public void Clear()
        {
            Lines.Clear();
            Prompts.Clear();
            _pending.Clear();
        }

        public override PSHostRawUserInterface RawUI { get { return null; } }

        public override void Write(string value) { _pending.Append(value); }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { Write(value); }
        public override void WriteLine(string value)
        {
            _pending.Append(value);
            foreach (string line in _pending.ToString().Split('\n')) { Lines.Add(line.TrimEnd('\r')); }
            _pending.Clear();
        }
        public override void WriteErrorLine(string value) { WriteLine(value); }
        public override void WriteDebugLine(string message) { WriteLine("DEBUG: " + message); }
        public override void WriteVerboseLine(string message) { WriteLine("VERBOSE: " + message); }
        public override void WriteWarningLine(string message) { WriteLine("WARNING: " + message); }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }

        public override string ReadLine() { throw new NotSupportedException("An example asked for a line of input."); }
        public override SecureString ReadLineAsSecureString() { throw new NotSupportedException("An example asked for a secret."); }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            throw new NotSupportedException("An example prompted for " + string.Join(", ", descriptions == null ? new string[0] : new List<FieldDescription>(descriptions).ConvertAll(d => d.Name).ToArray()) + ": " + message);
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
        {
            Prompts.Add("credential: " + message);
            if (Credential == null) { throw new NotSupportedException("An example asked for a credential, and none was given."); }
            return Credential;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
        {
            return PromptForCredential(caption, message, userName, targetName);
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Prompts.Add(caption + ": " + message);
            for (int i = 0; i < choices.Count; i++)
            {
                if (choices[i].Label == Choice) { return i; }
            }

            throw new NotSupportedException("The prompt '" + caption + "' offers no choice " + Choice + ".");
        }
    }
}
'@
    }

    function New-ExampleSession {
        # A fresh "user's session" for one help page: its own runspace, working folder and recording host.
        param([Parameter(Mandatory)] [string] $Page)
        $workDir = Join-Path $TestDrive $Page
        New-Item -ItemType Directory -Path $workDir -Force | Out-Null
        $recordingHost = New-Object CpuidMaskExamples.RecordingHost
        $runspace = [runspacefactory]::CreateRunspace($recordingHost, [initialsessionstate]::CreateDefault2())
        $runspace.Open()
        $session = @{ Page = $Page; Runspace = $runspace; Host = $recordingHost; WorkDir = $workDir; VC = $null }
        $setup = Invoke-InSession $session ("Set-Location -LiteralPath '{0}'; Import-Module '{1}'; (Get-Module CpuidMask -ListAvailable)[0].ModuleBase" -f
            $workDir.Replace("'", "''"), (Join-Path $PSScriptRoot 'PowerCliFakes.psm1').Replace("'", "''"))
        if ($setup.Errors) { throw "Setting up the session failed: $($setup.Errors[0])" }
        if ([string]$setup.Output[0] -notlike "$($moduleFolder.FullName)*") {
            throw "The session finds CpuidMask at '$($setup.Output[0])', not the module under test ($($moduleFolder.FullName))."
        }
        $session
    }

    function Start-SessionVCenter {
        # The page's vCenter, vc01, and a PowerCLI connection to it, as the user of the examples has.
        param([Parameter(Mandatory)] $Session)
        $Session.VC = Start-TestVCenter -RequestLog (Join-Path $Session.WorkDir 'vcsim-requests.log')
        $Session.Host.Recorder.Credential = $Session.VC.Credential
        # A vCenter certificate the machine trusts needs no -Thumbprint; the simulator's is self-signed and new
        # every run, so the session pins it through $PSDefaultParameterValues, as a user of such a vCenter would.
        $script = @'
Add-FakeVIServer -Name vc01 -Url '{0}' -Thumbprint '{1}' -Credential ([pscredential]::new('{2}', (ConvertTo-SecureString '{3}' -AsPlainText -Force)))
foreach ($command in 'Get-HostCpuid', 'Get-VmCpuidMask', 'Set-VmCpuidMask', 'Set-VmEvcMode', 'Undo-VmCpuidMask', 'Test-VmCpuidMask') {{ $PSDefaultParameterValues["$($command):Thumbprint"] = '{1}' }}
$null = Connect-VIServer vc01
'@ -f $Session.VC.Url, $Session.VC.Thumbprint, $Session.VC.UserName, $Session.VC.Credential.GetNetworkCredential().Password.Replace("'", "''")
        $result = Invoke-InSession $Session $script
        if ($result.Errors) { throw "Connecting the session to the simulator failed: $($result.Errors[0])" }
    }

    function Stop-ExampleSession {
        param($Session)
        if (-not $Session) { return }
        if ($Session.VC) { Stop-TestVCenter $Session.VC }
        $Session.Runspace.Dispose()
    }

    function Invoke-InSession {
        # Runs one command line in the session, as typed at a prompt, and keeps what each stream and the host got.
        param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Script, [string] $Choice = '&Yes')
        $recorder = $Session.Host.Recorder
        $recorder.Clear()
        $recorder.Choice = $Choice
        $shell = [powershell]::Create()
        $shell.Runspace = $Session.Runspace
        $output = @()
        $terminating = $null
        try {
            $output = @($shell.AddScript($Script).Invoke())
        }
        catch {
            # A script-terminating error (throw, a parse error): the .NET call wraps it.
            $terminating = $_.Exception
            if ($terminating -is [System.Management.Automation.MethodInvocationException] -and $terminating.InnerException) { $terminating = $terminating.InnerException }
        }
        $errors = @($shell.Streams.Error)
        if ($terminating) {
            $errors += if ($terminating -is [System.Management.Automation.IContainsErrorRecord]) { $terminating.ErrorRecord } else { New-Object System.Management.Automation.ErrorRecord ($terminating, 'Terminating', 'NotSpecified', $null) }
        }
        $result = [pscustomobject]@{
            Code      = $Script
            Output    = @($output | ForEach-Object { if ($_ -is [psobject] -and $_.BaseObject -is [string]) { $_.BaseObject } else { $_ } })
            Errors    = @($errors)
            Warnings  = @($shell.Streams.Warning | ForEach-Object Message)
            Verbose   = @($shell.Streams.Verbose | ForEach-Object Message)
            HostLines = @($recorder.Lines)
            Prompts   = @($recorder.Prompts)
            Shown     = @()
        }
        $shell.Dispose()
        $result
    }

    function Rename-Placeholder {
        # The help's placeholder names (vm01, h1, Lab) as the simulator has them; whole names only.
        param([string] $Text, [hashtable] $Names)
        foreach ($name in $Names.Keys) {
            $Text = [regex]::Replace($Text, '(?<![\w.-])' + [regex]::Escape($name) + '(?![\w-])', $Names[$name].Replace('$', '$$'))
        }
        $Text
    }

    function Get-ErrorText { param($Record) if ($Record.ErrorDetails -and $Record.ErrorDetails.Message) { $Record.ErrorDetails.Message } else { $Record.Exception.Message } }

    function Assert-WhatTheHelpShows {
        # The streams and text output of one command line against the lines the help shows under it.
        param([Parameter(Mandatory)] $Result)
        $shown = @($Result.Shown)
        $shownErrors = @($shown | Where-Object { $_ -match $ErrorLinePattern } | ForEach-Object { $_ -replace $ErrorLinePattern, '' })
        @($Result.Errors | ForEach-Object { Get-ErrorText $_ }) | Should -Be $shownErrors -Because "'$($Result.Code)' must write exactly the errors its help shows"
        # Checked even when the help shows no output: a warning the reader is not told about (a deprecated form,
        # a surprise) means the example teaches something other than what it shows.
        $shownWarnings = @($shown | Where-Object { $_.StartsWith('WARNING: ') } | ForEach-Object { $_.Substring('WARNING: '.Length) })
        @($Result.Warnings) | Should -Be $shownWarnings -Because "'$($Result.Code)' must write exactly the warnings its help shows"
        if (-not $shown.Count) { return }

        $shownWhatIf = @($shown | Where-Object { $_.StartsWith('What if: ') })
        @($Result.HostLines | Where-Object { $_.StartsWith('What if: ') }) | Should -Be $shownWhatIf -Because "'$($Result.Code)' must show what its help shows with -WhatIf"

        $text = @($shown | Where-Object { -not ($_.StartsWith('WARNING: ') -or $_.StartsWith('What if: ') -or $_ -match $ErrorLinePattern) })
        if ($Result.Output.Count -and @($Result.Output | Where-Object { $_ -isnot [string] }).Count -eq 0 -and $text -notcontains '...') {
            # Plain text output (.vmx lines, XML, a QEMU option) is shown exactly.
            $written = @($Result.Output | ForEach-Object { $_ -split '\r?\n' } | ForEach-Object TrimEnd)
            $written | Should -Be @($text | ForEach-Object TrimEnd) -Because "'$($Result.Code)' writes the text its help shows"
        }
    }

    function Get-MaskLine {
        # A VM's CPUID mask keys as .vmx lines, read through PowerCLI's view of the VM (not through CpuidMask).
        param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Name)
        $vm = (Invoke-InSession $Session "Get-VM '$Name'").Output[0]
        @($vm.ExtensionData.Config.ExtraConfig | Where-Object { $_.Key -like 'cpuid.*' -or $_.Key -like 'featMask.vm.cpuid.*' } |
            ForEach-Object { '{0} = "{1}"' -f $_.Key, $_.Value } | Sort-Object)
    }

    function Get-FeatureMaskKey {
        # A VM's per-VM EVC mask (runtime.featureMask) through PowerCLI's view, as "key=value".
        param([Parameter(Mandatory)] $Session, [Parameter(Mandatory)] [string] $Name)
        $vm = (Invoke-InSession $Session "Get-VM '$Name'").Output[0]
        @($vm.ExtensionData.Runtime.FeatureMask | ForEach-Object { '{0}={1}' -f $_.Key, $_.Value } | Sort-Object)
    }

    function Get-EvcModeMask {
        # The featureMask of an EVC mode the simulated vCenter offers, from its inventory file.
        param([Parameter(Mandatory)] [string] $Key)
        @(($Inventory.supportedEVCMode | Where-Object key -eq $Key).featureMask | ForEach-Object { '{0}={1}' -f $_.key, $_.value } | Sort-Object)
    }

    function Get-RequestLog {
        param([Parameter(Mandatory)] $Session)
        @(Get-Content -LiteralPath $Session.VC.RequestLog)
    }

    # What each example must do, by "<page>/<title>". Fields: VCenter (needs the simulator), Names (placeholders of
    # the help and the simulator's names, in code and in shown text), Shown (more names, in shown text only),
    # Placeholders (a scriptblock giving literal text => replacement, for values only a user can fill in),
    # Given (runs before, with $Session), Choice (the answer to confirmations), Then (asserts, with $Run: one
    # result per command line, and $Session).
    $Checks = @{
        'Compare-CpuidProfile/Compare the two hosts of the worked case' = @{
            Then = {
                $rows = $Run[3].Output
                $rows | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.PowerShell.CpuidDifference]) }
                $rows.Feature | Should -Be 'MOVBE', 'PREFETCHW', 'PCID', 'XSAVE', 'AVX', 'F16C', 'FSGSBASE', 'XSAVE_SSE', 'XSAVE_YMM'
                $rows.SideIndicator | Should -Be '=>', '=>', '<=', '<=', '<=', '<=', '<=', '<=', '<='
                $rows.Status | Sort-Object -Unique | Should -Be 'Blocker'
                ($rows | Where-Object SideIndicator -eq '=>').Source | Sort-Object -Unique | Should -Be 'avoton-c2750'
                ($rows | Where-Object SideIndicator -eq '<=').Source | Sort-Object -Unique | Should -Be 'ivybridge-i7-3770k'
                $rows.Location | Should -Be 'leaf 0x1 ecx bit 22', 'leaf 0x80000001 ecx bit 8', 'leaf 0x1 ecx bit 17', 'leaf 0x1 ecx bit 26',
                    'leaf 0x1 ecx bit 28', 'leaf 0x1 ecx bit 29', 'leaf 0x7 ebx bit 0', 'leaf 0xD eax bit 1', 'leaf 0xD eax bit 2'
                # "exactly the refusals vCenter reports for these two hosts" (DOMAIN.md, the worked case)
                (($rows | Where-Object SideIndicator -eq '=>').Feature | Sort-Object) | Should -Be $AvotonOnly
                (($rows | Where-Object SideIndicator -eq '<=').Feature | Sort-Object) | Should -Be $IvyBridgeOnly
            }
        }
        'Compare-CpuidProfile/Check every direction between the hosts of a vCenter' = @{
            VCenter = $true
            Then = {
                $refused = $Run[0].Output
                $refused | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.PowerShell.CpuidMigrationCheck]) }
                $refused.Allowed | Sort-Object -Unique | Should -Be $false
                $pairs = @($refused | ForEach-Object { "$($_.Source)>$($_.Destination)" })
                ($refused | Where-Object { $_.Source -eq 'esx-avoton-01' -and $_.Destination -eq 'esx-ivy-01' }).Blockers | Should -Be 'MOVBE', 'PREFETCHW'
                ($refused | Where-Object { $_.Source -eq 'esx-ivy-01' -and $_.Destination -eq 'esx-avoton-01' }).Blockers |
                    Sort-Object | Should -Be $IvyBridgeOnly
                $pairs | Should -Not -Contain 'esx-ivy-01>esx-haswell-01' -Because 'a Haswell has every feature of an Ivy Bridge'
                # Every direction between the AMD host and the five Intel hosts is refused, with a warning each.
                @($pairs | Where-Object { $_ -like '*esx-epyc-01*' }).Count | Should -Be 10
                @($Run[0].Warnings | Where-Object { $_ -like '*vMotion between CPU vendors is not possible*' }).Count | Should -Be 10
            }
        }
        'Compare-CpuidProfile/Check that a mask makes both directions possible' = @{
            Then = {
                $checks = $Run[2].Output
                $checks.Count | Should -Be 2
                $checks.Source | Should -Be 'avoton-c2750', 'ivybridge-i7-3770k'
                $checks.Destination | Should -Be 'ivybridge-i7-3770k', 'avoton-c2750'
                $checks.Allowed | Should -Be $true, $true
                $checks | ForEach-Object { $_.Blockers.Count } | Should -Be 0, 0
            }
        }
        'Compare-CpuidProfile/Include the differences vCenter ignores' = @{
            Then = {
                $rows = $Run[0].Output
                $rows.Feature | Sort-Object | Should -Be 'ECMD', 'FDP_DEPRECATED', 'OSXSAVE', 'PLN', 'PTM', 'TSC_ADJUST', 'XSAVE_X87'
                ($rows | Where-Object { $_.Location -like 'leaf 0x6 *' }).Feature | Should -Be 'PLN', 'ECMD', 'PTM' -Because 'the power management bits of leaf 6'
                ($rows | Where-Object Feature -eq 'XSAVE_X87').Location | Should -Be 'leaf 0xD eax bit 0'
                $rows.Blocking | Sort-Object -Unique | Should -Be $false
            }
        }
        'Compare-CpuidProfile/A VM of an older hardware version' = @{
            Then = {
                $rows = $Run[0].Output
                $rows.Feature | Should -Be 'MOVBE', 'PREFETCHW', 'XSAVE', 'AVX', 'XSAVE_SSE', 'XSAVE_YMM', 'PCID', 'F16C', 'FSGSBASE'
                $rows.Status | Should -Be 'Blocker', 'Blocker', 'Blocker', 'Blocker', 'Blocker', 'Blocker', 'OutOfReach', 'OutOfReach', 'OutOfReach'
                # "ESXi first shows a guest PCID, F16C and FSGSBASE in version 9"
                ($rows | Where-Object Status -eq 'OutOfReach').Definition.MinHardwareVersion | Sort-Object -Unique | Should -Be 9
                ($rows | Where-Object Status -eq 'OutOfReach').SideIndicator | Sort-Object -Unique | Should -Be '<='
                # "The other blockers stay."
                (($rows | Where-Object Status -eq 'Blocker').Feature | Sort-Object) | Should -Be (@($AvotonOnly) + $IvyBridgeOnly | Where-Object { $_ -notin 'PCID', 'F16C', 'FSGSBASE' } | Sort-Object)
            }
        }

        'Get-CpuidBaseline/The highest EVC mode of every host of a vCenter, through PowerCLI' = @{
            VCenter = $true
            Then = {
                $Run[0].Output[0].pstypenames[0] | Should -Be 'VMware.VimAutomation.ViCore.Impl.V1.VIServerImpl'
                $rows = $Run[1].Output
                $rows.Name | Should -Be 'esx-avoton-01', 'esx-broadwell-01', 'esx-haswell-01', 'esx-ivy-01', 'esx-skylake-01', '(all GenuineIntel hosts)', 'esx-epyc-01'
                $rows.HighestKey | Should -Be 'intel-westmere', 'intel-broadwell', 'intel-haswell', 'intel-ivybridge', 'intel-skylake', 'intel-westmere', 'amd-zen2'
                ($rows | Where-Object Name -eq 'esx-ivy-01').Verified | Should -BeTrue -Because 'no mode below intel-broadwell needs the XSAVEOPT vCenter does not report for the Ivy Bridge'
                ($rows | Where-Object IsCommon).Name | Should -Be '(all GenuineIntel hosts)', 'esx-epyc-01' -Because 'each vendor gets its common mode, and the AMD host is alone with its vendor'
                ($rows | Where-Object Name -eq '(all GenuineIntel hosts)').MissingForNext | Should -Be 'esx-avoton-01: PCID, XSAVE, AVX, XSAVE_SSE, XSAVE_YMM' -Because 'the Atom keeps the Intel hosts from intel-sandybridge'
                # The hosts' own maxEVCModeKey agrees, as vCenter computed it.
                foreach ($vmhost in $Inventory.hosts + $Inventory.clusters.hosts) {
                    ($rows | Where-Object Name -eq $vmhost.name).HighestKey | Should -Be $vmhost.maxEVCModeKey -Because $vmhost.name
                }
            }
        }
        'Get-CpuidBaseline/The worked case from dump files' = @{
            Then = {
                $rows = $Run[1].Output
                $rows.Name | Should -Be 'avoton-c2750', 'ivybridge-i7-3770k', '(all hosts)'
                $rows.HighestKey | Should -Be 'intel-westmere', 'intel-ivybridge', 'intel-westmere'
                $rows.Verified | Should -Be $true, $true, $true -Because 'the XSAVEOPT the i7-3770K''s old dumper did not record is needed only from intel-broadwell'
                $rows.NextUp | Should -Be 'intel-sandybridge', 'intel-haswell', 'intel-sandybridge'
                ($rows | Where-Object IsCommon).MissingForNext | Should -Be 'avoton-c2750: PCID, XSAVE, AVX, XSAVE_SSE, XSAVE_YMM'
            }
        }
        'Get-CpuidBaseline/Bring a VM down to the mode every host supports' = @{
            VCenter = $true
            Names   = @{ h1 = 'esx-avoton-01'; h2 = 'esx-ivy-01'; vm01 = 'vm-doc02' }
            Then    = {
                (Invoke-InSession $Session '$mode').Output | Should -Be 'intel-westmere'
                $Run[2].Prompts.Count | Should -Be 1 -Because 'Set-VmEvcMode asks before it changes a VM'
                $Run[2].Prompts[0] | Should -BeLike '*intel-westmere*vm-doc02*'
                Get-FeatureMaskKey $Session vm-doc02 | Should -Be (Get-EvcModeMask intel-westmere) -Because 'the vCenter offers intel-westmere, so its own mask is applied'
            }
        }
        'Get-CpuidBaseline/List the Intel modes, or look one up' = @{
            Then = {
                $modes = $Run[0].Output
                $modes.Key | Should -Be 'intel-merom', 'intel-penryn', 'intel-nehalem', 'intel-westmere', 'intel-sandybridge', 'intel-ivybridge',
                    'intel-haswell', 'intel-broadwell', 'intel-skylake', 'intel-cascadelake', 'intel-icelake', 'intel-sapphirerapids'
                $modes.Features.Count | Should -BeGreaterThan 0
                ($modes | Select-Object -First 5 | ForEach-Object { $_.Features.Count }) | Should -Be 30, 31, 34, 36, 41 -Because 'intel-sandybridge has no XSAVEOPT, as vCenter''s Sandy Bridge mask'
                ($modes | Where-Object Key -eq 'intel-westmere').Added.Name | Should -Be 'PCLMULQDQ', 'AES'
                $names = $Run[1].Output
                $names.Count | Should -Be 36
                $names | Should -Contain 'AES'
                $names | Should -Not -Contain 'AVX'
                # "-Key takes wildcards (Get-CpuidBaseline amd-zen*) and Tab completes the keys"
                (Invoke-InSession $Session 'Get-CpuidBaseline amd-zen*').Output.Key | Should -Be 'amd-zen', 'amd-zen2', 'amd-zen3', 'amd-zen4'
                $line = 'Get-CpuidBaseline intel-sky'
                (Invoke-InSession $Session "(TabExpansion2 -inputScript '$line' -cursorColumn $($line.Length)).CompletionMatches.CompletionText").Output |
                    Should -Be 'intel-skylake'
            }
        }

        'Get-CpuidFeature/Look a feature up by the words of a vCenter error' = @{
            Then = {
                $feature = $Run[0].Output
                @($feature).Count | Should -Be 1
                $feature.Name | Should -Be 'XSAVE_YMM'
                $feature.Location | Should -Be 'leaf 0xD eax bit 2'
                $feature.Tracked | Should -BeTrue
                $feature.VSphereKey | Should -Be 'cpuid.XCR0_MASTER_YMM_H'
                $feature.Description | Should -Be 'XSAVE state component 2: upper halves of YMM.'
            }
        }
        'Get-CpuidFeature/All the AVX-512 features vCenter compares' = @{
            Then = {
                $features = $Run[0].Output
                $features.Count | Should -BeGreaterThan 10
                $features.Name | ForEach-Object { $_ | Should -BeLike 'AVX512*' }
                $features.Tracked | Sort-Object -Unique | Should -Be $true
                $features.Name | Should -Contain 'AVX512F'
            }
        }
        'Get-CpuidFeature/Details of the features that block a migration' = @{
            Then = {
                $text = $Run[2].Output | Out-String -Width 120
                foreach ($name in 'MOVBE', 'PREFETCHW', 'PCID', 'XSAVE', 'AVX', 'F16C', 'FSGSBASE', 'XSAVE_SSE', 'XSAVE_YMM') {
                    $text | Should -Match "(?m)^Name\s+: $name\s*$"
                }
                $text | Should -Match '(?m)^Location\s+: leaf 0x1 ecx bit 28\s*$'
                $text | Should -Match '(?m)^Requires\s+: \{XSAVE, XSAVE_YMM\}\s*$' -Because 'AVX needs XSAVE and the YMM state'
                $text | Should -Match '(?m)^Description\s+: Advanced Vector Extensions'
            }
        }

        'Get-HostCpuid/Read two hosts through the PowerCLI session' = @{
            VCenter = $true
            Names   = @{ h1 = 'esx-avoton-01'; h2 = 'esx-ivy-01' }
            Then    = {
                $profiles = $Run[1].Output
                $profiles.Name | Should -Be 'esx-avoton-01', 'esx-ivy-01'
                $profiles.Vendor | Should -Be 'GenuineIntel', 'GenuineIntel'
                $profiles.Format | Should -Be 'VSphere', 'VSphere'
                $profiles.Brand | Should -Be 'Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz', 'Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz'
                $profiles.Model | Should -Be 0x4D, 0x3A
                $profiles.Stepping | Should -Be 8, 9
                # "read by its managed object reference (no name lookup), from the vCenter it came from"
                $vmhosts = (Invoke-InSession $Session 'Get-VMHost esx-avoton-01, esx-ivy-01').Output
                $profiles[0].Source | Should -BeLike "*/$($vmhosts[0].ExtensionData.MoRef.Value)"
                $profiles[1].Source | Should -BeLike "*/$($vmhosts[1].ExtensionData.MoRef.Value)"
                $renamed = Invoke-InSession $Session ('New-FakeVMHost -Name esx-renamed-01 -MoRef {0} -Server $global:DefaultVIServer | Get-HostCpuid -Server $global:DefaultVIServer' -f $vmhosts[1].ExtensionData.MoRef.Value)
                $renamed.Errors[0].FullyQualifiedErrorId | Should -BeLike 'HostNotFound,*' -Because 'a reference that names a different host on the -Server given is HostNotFound'
            }
        }
        'Get-HostCpuid/Read the worked case from dump files' = @{
            Then = {
                $profiles = $Run[1].Output
                $profiles.Name | Should -Be 'avoton-c2750', 'ivybridge-i7-3770k' -Because 'a profile read from a file is named after the file'
                $profiles.Format | Should -Be 'InstLatx64', 'InstLatx64'
                $profiles.Brand | Should -Be 'Intel(R) Atom(TM) CPU  C2750  @ 2.40GHz', 'Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz'
                $profiles.Model | Should -Be 0x4D, 0x3A
            }
        }
        'Get-HostCpuid/Read every dump of a folder' = @{
            Then = {
                $profiles = $Run[1].Output
                $profiles.Name | Sort-Object | Should -Be 'avoton-c2750', 'ivybridge-i7-3770k'
                $profiles | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.Engine.Model.CpuidProfile]) }
            }
        }
        'Get-HostCpuid/Read this machine' = @{
            Then = {
                # PowerShell 7 on x64 (the test machines): the CPU running the test against the Ivy Bridge sample.
                $local = (Invoke-InSession $Session 'Get-HostCpuid -Local').Output[0]
                $local.Format | Should -Be 'Local'
                $rows = $Run[1].Output
                $rows | ForEach-Object { $_ | Should -BeOfType ([CpuidMask.PowerShell.CpuidDifference]) }
                $rows | ForEach-Object { @($_.Source, $_.Destination) | Sort-Object | Should -Be (@($local.Name, 'ivybridge-i7-3770k') | Sort-Object) }
            }
        }
        'Get-HostCpuid/Log in with credentials and a pinned certificate' = @{
            VCenter      = $true
            Placeholders = { @{ 'vc02.example.com' = "127.0.0.1:$($Session.VC.Port)"; '3F:A2:...:9C' = $Session.VC.Thumbprint } }
            Given        = { $Session.RequestsBefore = (Get-RequestLog $Session).Count }
            Then         = {
                $Run[0].Prompts | Should -BeLike 'credential: *' -Because 'Get-Credential asks'
                $Run[0].Output.Name | Should -Be 'esx-avoton-01', 'esx-broadwell-01', 'esx-epyc-01', 'esx-haswell-01', 'esx-ivy-01', 'esx-skylake-01'
                $requests = Get-RequestLog $Session | Select-Object -Skip $Session.RequestsBefore
                $requests | Should -Contain 'Login'
                $requests | Should -Contain 'Logout' -Because 'the command logs out of the session it opened'
                (Invoke-InSession $Session '$global:DefaultVIServer.IsConnected').Output | Should -Be $true
            }
        }

        'Get-VmCpuidMask/Show a VM''s masks' = @{
            VCenter = $true
            Names   = @{ vm01 = 'vm-doc01'; h1 = 'esx-avoton-01' }
            Then    = {
                $vm = $Run[0].Output
                $vm.Name | Should -Be 'vm-doc01'
                $vm.PowerState | Should -Be 'poweredOff'
                $vm.HardwareVersion | Should -Be 'vmx-14'
                $vm.VMHost | Should -Be 'esx-avoton-01'
                $vm.Lines | Should -Be $WorkedCaseLines[0], $WorkedCaseLines[1], $WorkedCaseLines[3], $WorkedCaseLines[2]
                $vm.Lines | Sort-Object | Should -Be (Get-MaskLine $Session vm-doc01)
            }
        }
        'Get-VmCpuidMask/Find the VMs of a cluster that have no mask' = @{
            VCenter = $true
            Names   = @{ Lab = 'Prod' }
            Then    = {
                $found = @($Run[0].Output.Name)
                $cluster = (Invoke-InSession $Session 'Get-Cluster Prod | Get-VM').Output
                $cluster.Count | Should -BeGreaterThan $found.Count
                foreach ($vm in $cluster) {
                    $masked = @(Get-MaskLine $Session $vm.Name).Count -gt 0 -or @($vm.ExtensionData.Runtime.FeatureMask).Count -gt 0
                    ($found -contains $vm.Name) | Should -Be (-not $masked) -Because "$($vm.Name) has $(if ($masked) { 'a mask' } else { 'none' })"
                }
                $found | Should -Not -Contain 'vm-doc08' -Because 'a per-VM EVC mode is a mask too'
            }
        }
        'Get-VmCpuidMask/Check a VM against the hosts it should move between' = @{
            VCenter = $true
            Names   = @{ h1 = 'esx-avoton-01'; h2 = 'esx-ivy-01'; vm01 = 'vm-doc01' }
            Then    = {
                $Run[1].Output | Should -BeNullOrEmpty -Because 'the mask of vm01 lets it move both ways'
                # Without that mask, the same check does list the refused directions.
                $unmasked = Invoke-InSession $Session '$hosts | Compare-CpuidProfile -Mask (Get-VmCpuidMask vm-doc02) | Where-Object { -not $_.Allowed }'
                $unmasked.Output.Count | Should -Be 2
            }
        }

        'Test-VmCpuidMask/Find the VMs of a cluster that cannot move freely' = @{
            VCenter = $true
            Names   = @{ Lab = 'Prod' }
            Then    = {
                $Run[0].Errors | Should -BeNullOrEmpty
                $found = @($Run[0].Output)
                $all = @((Invoke-InSession $Session 'Get-Cluster Prod | Get-VM | Test-VmCpuidMask').Output)
                $found.Count | Should -BeGreaterThan 0
                foreach ($vm in $all) {
                    ($found.Name -contains $vm.Name) | Should -Be (-not $vm.Compliant) -Because "$($vm.Name) is $($vm.Status)"
                }
                foreach ($vm in $found) {
                    $vm.Status | Should -BeIn 'Blocked', 'Stale', 'Wider', 'PendingPowerCycle', 'Unmasked', 'Unknown'
                    $vm.Reason | Should -Not -BeNullOrEmpty
                }
            }
        }
        'Test-VmCpuidMask/One answer for a scheduled job' = @{
            VCenter = $true
            Then    = {
                $answer = @((Invoke-InSession $Session '$allGood').Output)
                $answer.Count | Should -Be 1
                $answer[0] | Should -BeOfType ([bool])
                $notCompliant = @((Invoke-InSession $Session 'Test-VmCpuidMask').Output | Where-Object { -not $_.Compliant })
                $notCompliant.Count | Should -BeGreaterThan 0 -Because 'vm-web02 has no mask between hosts that differ'
                $answer[0] | Should -BeFalse
            }
        }
        'Test-VmCpuidMask/Save a compliance report as CSV' = @{
            VCenter = $true
            Names   = @{ vm01 = 'vm-doc01'; vm02 = 'vm-doc02' }
            Then    = {
                $rows = @(Import-Csv -LiteralPath (Join-Path $Session.WorkDir 'compliance.csv'))
                $rows.Name | Should -Be 'vm-doc01', 'vm-doc02'
                $rows[0].Status | Should -Be 'Stale' -Because 'the worked-case mask of vm01 does not cover the Haswell and Skylake hosts of its vCenter'
                $rows[0].FixMask | Should -BeLike 'cpuid.*; cpuid.*' -Because 'lists are joined with "; "'
                $rows[1].Status | Should -Be 'Unmasked'
                $rows[1].CannotMoveTo | Should -BeLike '*; *'
            }
        }

        'New-VmCpuidMask/From two vSphere hosts to a VM, with PowerCLI' = @{
            VCenter = $true
            Names   = @{ h1 = 'esx-avoton-01'; h2 = 'esx-ivy-01'; vm01 = 'vm-doc02' }
            Then    = {
                Get-MaskLine $Session vm-doc02 | Should -BeNullOrEmpty -Because '-WhatIf writes nothing'
                $Run[1].Prompts | Should -BeNullOrEmpty
                # "Run it again without -WhatIf to write the mask (you are asked to confirm)."
                $again = Invoke-InSession $Session ($Run[1].Code -replace ' -WhatIf$', '')
                $again.Errors | Should -BeNullOrEmpty
                $again.Prompts.Count | Should -Be 1
                $again.Prompts[0] | Should -BeLike '*Set CPUID mask cpuid.1.ecx, cpuid.7.ebx, cpuid.80000001.ecx, cpuid.d.eax*vm-doc02*'
                Get-MaskLine $Session vm-doc02 | Should -Be ($WorkedCaseLines | Sort-Object)
            }
        }
        'New-VmCpuidMask/A mask for VMs of an older hardware version' = @{
            Then = {
                $lines = @($Run[1].Output)
                $lines.Count | Should -Be 3
                $lines | Should -Not -Contain 'cpuid.7.ebx = "-------------------------------0"' -Because 'the cpuid.7.ebx line is not needed'
                $register = ($lines | Where-Object { $_ -like 'cpuid.1.ecx = *' }) -replace '^cpuid\.1\.ecx = "(.{32})"$', '$1'
                $register[31 - 17] | Should -Be '-' -Because 'PCID stays visible'
                $register[31 - 29] | Should -Be '-' -Because 'F16C stays visible'
                $mask = (Invoke-InSession $Session 'Get-HostCpuid -Path $samples/*.txt | New-VmCpuidMask -HardwareVersion vmx-8').Output[0]
                $mask.OutOfReach.Name | Should -Be 'PCID', 'F16C', 'FSGSBASE'
                $mask.OutOfReach.FirstHardwareVersion | Sort-Object -Unique | Should -Be 9
                $mask.ProofPassed | Should -BeTrue
            }
        }
        'New-VmCpuidMask/The worked case from dump files' = @{
            Then = {
                $mask = $Run[1].Output
                $mask | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMask])
                $mask.Lines | Should -Be $WorkedCaseLines
                $mask.Hidden.Feature.Name | Sort-Object | Should -Be (@($AvotonOnly) + $IvyBridgeOnly | Sort-Object)
                $mask.ProofPassed | Should -BeTrue -Because 'a VM powers on on either host and moves both ways'
            }
        }
        'New-VmCpuidMask/Why each bit is hidden, and the proof' = @{
            Then = {
                $hidden = $Run[2].Output
                $hidden.Count | Should -Be 9
                ($hidden | Select-Object -First 3).Feature.Name | Should -Be 'PCID', 'MOVBE', 'XSAVE'
                ($hidden | Select-Object -First 3).Feature.Location | Should -Be 'leaf 0x1 ecx bit 17', 'leaf 0x1 ecx bit 22', 'leaf 0x1 ecx bit 26'
                ($hidden | Where-Object { $_.Feature.Name -eq 'PCID' }).Explanation | Should -Be 'missing on avoton-c2750'
                ($hidden | Where-Object { $_.Feature.Name -eq 'MOVBE' }).Explanation | Should -Be 'missing on ivybridge-i7-3770k'
                $Run[3].Output | Should -Be $true
            }
        }
        'New-VmCpuidMask/Hide a feature on purpose, and write a .vmx fragment' = @{
            Then = {
                $lines = @(Get-Content -LiteralPath (Join-Path $Session.WorkDir 'mask.vmx'))
                $lines.Count | Should -BeGreaterThan 0
                $leaf1 = $lines | Where-Object { $_ -like 'cpuid.1.ecx = *' }
                $register = $leaf1 -replace '^cpuid\.1\.ecx = "(.{32})"$', '$1'
                $register[31 - 28] | Should -Be '0' -Because 'AVX (leaf 1 ecx bit 28) is hidden although the host has it'
                $register[31 - 29] | Should -Be '0' -Because 'F16C needs AVX'
                $register[31 - 26] | Should -Be '-' -Because 'XSAVE does not need AVX'
                (Get-CpuidFeature F16C).Requires | Should -Contain 'AVX'
                $Run[1].Output | Should -BeNullOrEmpty -Because 'the lines went to the file'
            }
        }
        'New-VmCpuidMask/A complete Westmere baseline mask, as .vmx lines' = @{
            Then = {
                # "hide the other 134 features vCenter compares": every tracked feature outside the mode.
                # The mode's security controls (MD_CLEAR and the like) stay as the host has them.
                $tracked = @((Invoke-InSession $Session 'Get-CpuidFeature -Tracked').Output)
                $mode = (Invoke-InSession $Session 'Get-CpuidBaseline intel-westmere').Output[0]
                $mode.Features.Count | Should -Be 36
                $mode.Controls.Count | Should -Be 10
                $hiddenByMask = @($tracked | Where-Object { $_.Name -notin $mode.Features.Name -and $_.Name -notin $mode.Controls.Name })
                $hiddenByMask.Count | Should -Be 134
                $vmx = @($Run[0].Output)
                foreach ($feature in $hiddenByMask) {
                    $key = if ($feature.Subleaf) { 'cpuid.{0:x}.{1:x}.{2}' -f $feature.Leaf, $feature.Subleaf, $feature.Register.ToString().ToLowerInvariant() } else { 'cpuid.{0:x}.{1}' -f $feature.Leaf, $feature.Register.ToString().ToLowerInvariant() }
                    $line = $vmx | Where-Object { $_ -like "$key = *" }
                    $line | Should -Not -BeNullOrEmpty -Because "$($feature.Name) is hidden by a $key line"
                    ($line -replace '^.* = "(.{32})"$', '$1')[31 - $feature.Bit] | Should -Be '0' -Because "$($feature.Name) is outside intel-westmere"
                }
            }
        }
        'New-VmCpuidMask/The Westmere baseline for two hosts, only what they need' = @{
            Then = {
                $mask = (Invoke-InSession $Session 'Get-HostCpuid -Path $samples/*.txt | New-VmCpuidMask -Baseline intel-westmere -WarningAction SilentlyContinue').Output[0]
                $mask.Hidden.Count | Should -Be 21
                $mask.ProofPassed | Should -BeTrue
                $mask.Proof.Directions.Count | Should -Be 2 -Because 'its proof checks both directions'
                $mask.Proof.Directions.Allowed | Should -Be $true, $true
                $text = $Run[1].Output | Out-String -Width 120
                $text | Should -Match 'Baseline\s+: intel-westmere \(Intel® "Westmere" Generation\)'
                $text | Should -Match 'ProofPassed\s+: True'
                $mask.Lines[0] | Should -Be 'cpuid.1.ecx = "-000-0---0----0-----------------"'
            }
        }
        'New-VmCpuidMask/The same feature set for KVM: libvirt and QEMU' = @{
            Given = {
                # A stand-in for QEMU that keeps its arguments: the example shows how PowerShell passes -cpu.
                $null = Invoke-InSession $Session 'function qemu-system-x86_64 { $global:QemuArguments = $args }'
            }
            Then  = {
                $arguments = (Invoke-InSession $Session '$global:QemuArguments').Output
                $arguments | Should -Be '-cpu', 'Westmere,+pclmulqdq,+vme,+rdtscp', '...' -Because '-AsQemu is passed as one argument after -cpu'
                (Invoke-InSession $Session 'New-VmCpuidMask -Baseline intel-westmere -AsQemu').Output | Should -Be 'Westmere,+pclmulqdq,+vme,+rdtscp'
            }
        }
        'New-VmCpuidMask/The per-VM EVC entries of a mode' = @{
            Then = {
                $first = $Run[0].Output
                $first.Key | Should -Be 'cpuid.Intel', 'cpuid.FAMILY', 'cpuid.MODEL', 'cpuid.STEPPING', 'cpuid.NUMLEVELS', 'cpuid.NUM_EXT_LEVELS', 'cpuid.VMX', 'hv.capable', 'vt.realmode', 'cpuid.SSE3'
                $first.Value | Should -Be 'Val:1', 'Val:6', 'Val:0x3f', 'Val:2', 'Val:0xf', 'Val:0x80000008', 'Val:1', 'Val:1', 'Val:1', 'Val:1'
                "$($first.Kind)" | Should -Be 'Vendor Identity Identity Identity Identity Identity Virtualization Virtualization Virtualization Feature'
                $all = (Invoke-InSession $Session 'New-VmCpuidMask -Baseline intel-haswell -AsPerVmEvc -Verbose').Output
                @($all | Where-Object { $_.Kind -in 'Feature', 'Control' }).Value | Sort-Object -Unique | Should -Be 'Val:1' -Because 'whatever is not listed is hidden'
                $withName = @((Invoke-InSession $Session '(Get-CpuidBaseline intel-haswell).Features | Where-Object VSphereKey').Output.VSphereKey)
                foreach ($key in $withName) { $all.Key | Should -Contain $key }
                $verbose = (Invoke-InSession $Session 'New-VmCpuidMask -Baseline intel-haswell -AsPerVmEvc -Verbose').Verbose -join "`n"
                $verbose | Should -Match 'Xeon E5-2630 v3 \(Haswell-EP\)' -Because 'the identity names its reference CPU'
                $verbose | Should -Match 'ESXi'
            }
        }

        'Set-VmCpuidMask/Mask a VM for two hosts, with PowerCLI' = @{
            VCenter = $true
            Names   = @{ h1 = 'esx-avoton-01'; h2 = 'esx-ivy-01'; vm01 = 'vm-doc02' }
            Then    = {
                Get-MaskLine $Session vm-doc02 | Should -BeNullOrEmpty -Because '-WhatIf writes nothing'
                $again = Invoke-InSession $Session ($Run[1].Code -replace ' -WhatIf$', '')
                $again.Errors | Should -BeNullOrEmpty
                $again.Prompts.Count | Should -Be 1 -Because 'without -WhatIf the mask is written after confirmation'
                Get-MaskLine $Session vm-doc02 | Should -Be ($WorkedCaseLines | Sort-Object)
            }
        }
        'Set-VmCpuidMask/Write the worked case''s mask and keep the undo record' = @{
            VCenter = $true
            Names   = @{ vm01 = 'vm-doc03' }
            Then    = {
                $Run[2].Output | Should -BeNullOrEmpty
                $change = $Run[3].Output
                $change | Should -BeOfType ([CpuidMask.PowerShell.VmCpuidMaskChange])
                $change.VM | Should -Be 'vm-doc03'
                $change.Mode | Should -Be 'Merge'
                $change.Applied | Should -BeTrue
                $change.Verified | Should -BeTrue
                $change.Changes.Key | Should -Be 'cpuid.1.ecx', 'cpuid.7.ebx', 'cpuid.80000001.ecx', 'cpuid.d.eax'
                $change.Changes.PreviousValue | Where-Object { $null -ne $_ } | Should -BeNullOrEmpty
                Get-MaskLine $Session vm-doc03 | Should -Be ($WorkedCaseLines | Sort-Object)
                Join-Path $Session.WorkDir 'vm01-mask-change.xml' | Should -Exist
            }
        }
        'Undo-VmCpuidMask/Undo a change kept with -PassThru' = @{
            VCenter = $true
            Names   = @{ vm01 = 'vm-doc03' }
            Then    = {
                (Invoke-InSession $Session '$change').Output[0].Verified | Should -BeTrue -Because 'the mask was written first'
                $Run[3].Errors | Should -BeNullOrEmpty
                Get-MaskLine $Session vm-doc03 | Should -BeNullOrEmpty -Because 'the four keys did not exist before'
                (Invoke-InSession $Session 'Get-VM vm-doc03').Output[0].ExtensionData.Config.ExtraConfig.Key | Should -Contain 'guestinfo.owner'
            }
        }
        'Undo-VmCpuidMask/Undo a change saved with Export-Clixml, in a later session' = @{
            VCenter = $true
            Names   = @{ vm01 = 'vm-doc03' }
            Then    = {
                Join-Path $Session.WorkDir 'vm01-mask-change.xml' | Should -Exist
                Get-MaskLine $Session vm-doc03 | Should -Be ($WorkedCaseLines | Sort-Object) -Because '-WhatIf restores nothing'
                $undo = Invoke-InSession $Session 'Import-Clixml ./vm01-mask-change.xml | Undo-VmCpuidMask -Confirm:$false'
                $undo.Errors | Should -BeNullOrEmpty -Because 'a change read back from Export-Clixml is the undo record'
                Get-MaskLine $Session vm-doc03 | Should -BeNullOrEmpty
            }
        }
        'Undo-VmCpuidMask/Undo what ''cpuidmask apply'' wrote' = @{
            VCenter = $true
            Names   = @{ vm02 = 'vm-doc05' }
            # What 'cpuidmask apply --vm vm02' leaves: the mask on the VM and its undo file (the same JSON).
            Given   = {
                $apply = Invoke-InSession $Session ('$c = Set-VmCpuidMask -VM vm-doc05 -Mask $mask -PassThru -Confirm:$false; ' +
                    'Set-Content -LiteralPath ./cpuidmask-undo-vm02-20261127T101500Z.json -Value $c.ToUndoRecord().ToJson()')
                $apply.Errors | Should -BeNullOrEmpty
                Get-MaskLine $Session vm-doc05 | Should -Be ($WorkedCaseLines | Sort-Object)
            }
            Then    = {
                $Run[0].Errors | Should -BeNullOrEmpty
                $change = $Run[0].Output
                $change.VM | Should -Be 'vm-doc05'
                $change.Mode | Should -Be 'Undo'
                $change.Verified | Should -BeTrue
                Get-MaskLine $Session vm-doc05 | Should -BeNullOrEmpty
            }
        }
        'Undo-VmCpuidMask/Undo a per-VM EVC mode' = @{
            VCenter = $true
            Names   = @{ app01 = 'vm-doc07' }
            Then    = {
                (Invoke-InSession $Session '$evc').Output[0].EvcMode | Should -Be 'intel-haswell'
                $Run[1].Errors | Should -BeNullOrEmpty
                Get-FeatureMaskKey $Session vm-doc07 | Should -BeNullOrEmpty -Because 'the VM had no per-VM EVC mode before'
            }
        }
        'Undo-VmCpuidMask/Undo a whole run from its -UndoPath folder' = @{
            VCenter = $true
            Names   = @{ vm01 = 'vm-doc03'; vm02 = 'vm-doc05' }
            Then    = {
                $Run[1].Errors | Should -BeNullOrEmpty
                $files = @(Get-ChildItem -LiteralPath (Join-Path $Session.WorkDir 'undo') -Filter '*.json')
                $files.Name | Should -BeLike 'cpuidmask-undo-vm-doc0?-*.json'
                $files.Count | Should -Be 2 -Because 'one undo file per VM changed'
                ($files | ForEach-Object { (Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json).outcome }) | Should -Be 'applied', 'applied'
                $Run[2].Errors | Should -BeNullOrEmpty
                Get-MaskLine $Session vm-doc03 | Should -BeNullOrEmpty
                Get-MaskLine $Session vm-doc05 | Should -BeNullOrEmpty
            }
        }
        'Set-VmEvcMode/Apply a per-VM EVC mode' = @{
            VCenter = $true
            Names   = @{ app01 = 'vm-doc07'; app02 = 'vm-doc08'; db01 = 'vm-doc09' }
            # The module names the vCenter by the address it connects to; the simulator's is 127.0.0.1.
            Shown   = @{ vc01 = '127.0.0.1' }
            Then    = {
                $haswell = Get-EvcModeMask intel-haswell
                $haswell.Count | Should -Be 53 -Because 'the vCenter''s own intel-haswell mask has 53 entries'
                $changes = $Run[1].Output
                $changes.VM | Should -Be 'vm-doc07', 'vm-doc08'
                $changes.Status | Should -Be 'Applied', 'Unchanged'
                $changes.Verified | Should -Be $true, $true
                $Run[1].Errors[0].FullyQualifiedErrorId | Should -BeLike 'VmPoweredOn,*'
                Get-FeatureMaskKey $Session vm-doc07 | Should -Be $haswell
                Get-FeatureMaskKey $Session vm-doc08 | Should -Be $haswell
                Get-FeatureMaskKey $Session vm-doc09 | Should -BeNullOrEmpty -Because 'nothing was written to the powered-on VM'
            }
        }
        'Set-VmEvcMode/Clear a per-VM EVC mode' = @{
            VCenter = $true
            Names   = @{ app01 = 'vm-doc07' }
            Then    = {
                Get-FeatureMaskKey $Session vm-doc07 | Should -BeNullOrEmpty -Because 'Example 1 applied intel-haswell, and -Clear removes it'
            }
        }
        'Set-VmCpuidMask/Mask every VM of a folder, from .vmx lines' = @{
            VCenter = $true
            Names   = @{ Web = 'Web' }
            Choice  = 'Yes to &All'
            Given   = { Set-Content -LiteralPath (Join-Path $Session.WorkDir 'mask.vmx') -Value $WorkedCaseLines }
            Then    = {
                $Run[0].Prompts.Count | Should -Be 1 -Because 'the first VM is asked for, and A answers for the rest'
                (Invoke-InSession $Session 'Get-VM -Location Web').Output.Name | Should -Be 'vm-doc04', 'vm-doc05'
                Get-MaskLine $Session vm-doc04 | Should -Be ($WorkedCaseLines | Sort-Object)
                Get-MaskLine $Session vm-doc05 | Should -Be ($WorkedCaseLines | Sort-Object)
            }
        }
        'Set-VmCpuidMask/Copy a VM''s masks to another VM' = @{
            VCenter = $true
            Names   = @{ vm01 = 'vm-doc01'; vm02 = 'vm-doc06' }
            Then    = {
                $Run[0].Prompts.Count | Should -Be 1
                Get-MaskLine $Session vm-doc06 | Should -Be (Get-MaskLine $Session vm-doc01) -Because '-Replace leaves exactly the masks of vm01'
                (Invoke-InSession $Session 'Get-VM vm-doc06').Output[0].ExtensionData.Config.ExtraConfig.Key | Should -Contain 'guestinfo.owner'
            }
        }
        'Set-VmCpuidMask/Bring VMs down to the mode every host of a cluster supports, without per-VM EVC' = @{
            VCenter = $true
            Names   = @{ Lab = 'Prod' }
            Choice  = 'Yes to &All'
            Then    = {
                (Invoke-InSession $Session '$mode').Output | Should -Be 'intel-haswell'
                $complete = @((Invoke-InSession $Session 'New-VmCpuidMask -Baseline intel-haswell -AsVmx -WarningAction SilentlyContinue').Output | Sort-Object)
                foreach ($vm in 'vm-doc10', 'vm-doc11') {
                    Get-MaskLine $Session $vm | Should -Be $complete -Because "$vm gets the mode's complete mask in extraConfig"
                    Get-FeatureMaskKey $Session $vm | Should -BeNullOrEmpty
                }
            }
        }
        'Export-CpuidProfile/Save two hosts and compute a mask from the file later' = @{
            Then = {
                $file = Join-Path $Session.WorkDir 'hosts.json'
                (Get-Content -LiteralPath $file -Raw | ConvertFrom-Json -NoEnumerate).Count | Should -Be 2 -Because 'both hosts go into the one file'
                (Get-HostCpuid -Path $file).Name | Should -Be 'avoton-c2750', 'ivybridge-i7-3770k'
                $Run[2].Output | Should -Be $WorkedCaseLines -Because 'the hosts from the file give the same mask as the dumps they were read from'
            }
        }
        'Export-CpuidProfile/Snapshot hosts now, and compare them with the snapshot later' = @{
            VCenter = $true
            Names   = @{ h1 = 'esx-avoton-01'; h2 = 'esx-ivy-01' }
            Then    = {
                (Get-HostCpuid -Path (Join-Path $Session.WorkDir 'hosts.json')).Name | Should -Be 'esx-avoton-01', 'esx-ivy-01'
                $Run[2].Errors | Should -BeNullOrEmpty -Because 'a host compared with its own saved profile is not a duplicate name'
                $Run[2].Output | Should -BeNullOrEmpty -Because 'a host whose CPU is unchanged gives no rows'
            }
        }
        'Export-CpuidProfile/Turn profiles kept with Export-Clixml into a file any tool reads' = @{
            Then = {
                $Run[3].Output | Should -Be 'avoton-c2750', 'ivybridge-i7-3770k'
                (Get-Content -LiteralPath (Join-Path $Session.WorkDir 'hosts.json') -Raw | ConvertFrom-Json -NoEnumerate)[1].brand | Should -Be 'Intel(R) Core(TM) i7-3770K CPU @ 3.50GHz'
            }
        }
    }
}

AfterAll {
    $env:PSModulePath = $SavedModulePath
}

Describe 'docs/<Page>.md examples' -ForEach $Pages {
    BeforeAll {
        $Session = New-ExampleSession -Page $Page
    }

    AfterAll {
        Stop-ExampleSession $Session
    }

    It 'Example <Number>: <Title>' -ForEach $Examples {
        $HasCode | Should -BeTrue -Because "an example needs a ``````powershell block"
        $check = $Checks[$Key]
        if (-not $check) {
            throw "docs/$Page.md example '$Title' has no check: add one to `$Checks in tests/CpuidMask.Examples.Tests.ps1 that asserts what its text says."
        }
        if ($check.VCenter -and -not $HasSimulator) {
            Set-ItResult -Skipped -Because 'the vCenter simulator is not built (bash tests/vcsim/build.sh)'
            return
        }
        if ($check.VCenter -and -not $Session.VC) { Start-SessionVCenter $Session }

        $names = if ($check.Names) { $check.Names } else { @{} }
        $shownNames = $names.Clone()
        if ($check.Shown) { foreach ($name in $check.Shown.Keys) { $shownNames[$name] = $check.Shown[$name] } }
        $placeholders = if ($check.Placeholders) { & $check.Placeholders } else { @{} }
        if ($check.Given) { & $check.Given }
        $choice = if ($check.Choice) { $check.Choice } else { '&Yes' }

        $Run = foreach ($command in $Commands) {
            $code = Rename-Placeholder $command.Code $names
            foreach ($text in $placeholders.Keys) { $code = $code.Replace($text, $placeholders[$text]) }
            $result = Invoke-InSession $Session $code -Choice $choice
            $result.Shown = @($command.Shown | ForEach-Object { Rename-Placeholder $_ $shownNames })
            $result
        }
        $Run = @($Run)

        foreach ($result in $Run) { Assert-WhatTheHelpShows $result }
        & $check.Then
    }
}

Describe 'The checks of the help examples' {
    It 'belong to an example that exists' -ForEach @(@{ Keys = @($Pages | ForEach-Object { $_.Examples.Key }) }) {
        $stale = @($Checks.Keys | Where-Object { $_ -notin $Keys } | Sort-Object)
        $stale | Should -BeNullOrEmpty -Because 'a check whose example was renamed or removed checks nothing'
    }
}
