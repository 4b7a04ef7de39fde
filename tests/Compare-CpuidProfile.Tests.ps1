<?xml version="1.0" encoding="utf-8" standalone="no"?>
<test-results xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="nunit_schema_2.5.xsd" name="Pester" total="26" errors="0" failures="0" not-run="0" inconclusive="0" ignored="0" skipped="0" invalid="0" date="2026-11-27" time="06:19:37">
  <environment nunit-version="2.5.8.0" user="root" user-domain="" platform="Linux" os-version="6.18.44-fc-v657" clr-version="10.0.12" cwd="/work/main" machine-name="vm" />
  <culture-info current-culture="" current-uiculture="" />
  <test-suite type="TestFixture" name="Pester" executed="True" result="Success" success="True" time="3.6116" asserts="0" description="Pester">
    <results>
      <test-suite type="TestFixture" name="/work/main/tests/Set-VmCpuidMask.Tests.ps1" executed="True" result="Success" success="True" time="3.6116" asserts="0" description="/work/main/tests/Set-VmCpuidMask.Tests.ps1">
        <results>
          <test-suite type="TestFixture" name="Set-VmCpuidMask without a vCenter" executed="True" result="Success" success="True" time="0.6846" asserts="0" description="Set-VmCpuidMask without a vCenter">
            <results>
              <test-case description="stops with NoVCenterSession before anything else" name="Set-VmCpuidMask without a vCenter.stops with NoVCenterSession before anything else" time="0.2862" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="refuses a malformed .vmx line before connecting" name="Set-VmCpuidMask without a vCenter.refuses a malformed .vmx line before connecting" time="0.0176" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="says -VM is missing when a mask is piped without it" name="Set-VmCpuidMask without a vCenter.says -VM is missing when a mask is piped without it" time="0.0259" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="says -Mask is missing when VMs are piped without it, instead of taking them for undo records" name="Set-VmCpuidMask without a vCenter.says -Mask is missing when VMs are piped without it, instead of taking them for undo records" time="0.0273" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="documents that -VM takes pipeline input" name="Set-VmCpuidMask without a vCenter.documents that -VM takes pipeline input" time="0.1023" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="refuses to undo something that is not a Set-VmCpuidMask result" name="Set-VmCpuidMask without a vCenter.refuses to undo something that is not a Set-VmCpuidMask result" time="0.0068" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="refuses -Method PerVmEvc without -Baseline, before connecting" name="Set-VmCpuidMask without a vCenter.refuses -Method PerVmEvc without -Baseline, before connecting" time="0.0097" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="refuses -Force and -Replace with -Method PerVmEvc, and -Baseline none without it" name="Set-VmCpuidMask without a vCenter.refuses -Force and -Replace with -Method PerVmEvc, and -Baseline none without it" time="0.0188" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="takes ExtraConfig or PerVmEvc as -Method, nothing else" name="Set-VmCpuidMask without a vCenter.takes ExtraConfig or PerVmEvc as -Method, nothing else" time="0.0118" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="completes EVC modes, and none, for -Baseline" name="Set-VmCpuidMask without a vCenter.completes EVC modes, and none, for -Baseline" time="0.1025" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="is a high-impact change that supports -WhatIf" name="Set-VmCpuidMask without a vCenter.is a high-impact change that supports -WhatIf" time="0.0201" asserts="0" success="True" result="Success" executed="True" />
            </results>
          </test-suite>
          <test-suite type="TestFixture" name="Set-VmCpuidMask against the vCenter simulator" executed="True" result="Success" success="True" time="2.8662" asserts="0" description="Set-VmCpuidMask against the vCenter simulator">
            <results>
              <test-case description="writes nothing with -WhatIf" name="Set-VmCpuidMask against the vCenter simulator.writes nothing with -WhatIf" time="0.3584" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="writes the four lines, verified, and returns the previous value of every key" name="Set-VmCpuidMask against the vCenter simulator.writes the four lines, verified, and returns the previous value of every key" time="0.1758" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="writes a mask read from a file with -Mask (Get-Content mask.vmx), as its help shows" name="Set-VmCpuidMask against the vCenter simulator.writes a mask read from a file with -Mask (Get-Content mask.vmx), as its help shows" time="0.1291" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="changes nothing the second time" name="Set-VmCpuidMask against the vCenter simulator.changes nothing the second time" time="0.0267" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="undoes a change from its Export-Clixml copy" name="Set-VmCpuidMask against the vCenter simulator.undoes a change from its Export-Clixml copy" time="0.1052" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="merges with the masks a VM has, and -Replace replaces them" name="Set-VmCpuidMask against the vCenter simulator.merges with the masks a VM has, and -Replace replaces them" time="0.1917" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="refuses a powered-on VM without -Force, and with -Force warns that it applies at the next power-on" name="Set-VmCpuidMask against the vCenter simulator.refuses a powered-on VM without -Force, and with -Force warns that it applies at the next power-on" time="0.0668" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="takes VMs from the pipeline with the mask as .vmx lines, and goes on past a VM that does not exist" name="Set-VmCpuidMask against the vCenter simulator.takes VMs from the pipeline with the mask as .vmx lines, and goes on past a VM that does not exist" time="0.0621" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="applies a per-VM EVC mode with -WhatIf only as a message" name="Set-VmCpuidMask against the vCenter simulator.applies a per-VM EVC mode with -WhatIf only as a message" time="0.1567" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="applies a per-VM EVC mode, the vCenter's own, reads it back, then leaves it alone" name="Set-VmCpuidMask against the vCenter simulator.applies a per-VM EVC mode, the vCenter's own, reads it back, then leaves it alone" time="0.2069" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="computes a mode the vCenter does not offer from the baseline catalog" name="Set-VmCpuidMask against the vCenter simulator.computes a mode the vCenter does not offer from the baseline catalog" time="0.0398" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="reports each VM that cannot take per-VM EVC with its own error id, and goes on" name="Set-VmCpuidMask against the vCenter simulator.reports each VM that cannot take per-VM EVC with its own error id, and goes on" time="0.0499" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="refuses an EVC mode nobody knows (EvcModeNotFound)" name="Set-VmCpuidMask against the vCenter simulator.refuses an EVC mode nobody knows (EvcModeNotFound)" time="0.0306" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="writes a mode's complete raw mask with the default method" name="Set-VmCpuidMask against the vCenter simulator.writes a mode's complete raw mask with the default method" time="0.0408" asserts="0" success="True" result="Success" executed="True" />
              <test-case description="runs the PowerCLI workflow on PowerCLI's session" name="Set-VmCpuidMask against the vCenter simulator.runs the PowerCLI workflow on PowerCLI's session" time="0.1432" asserts="0" success="True" result="Success" executed="True" />
            </results>
          </test-suite>
        </results>
      </test-suite>
    </results>
  </test-suite>
</test-results>