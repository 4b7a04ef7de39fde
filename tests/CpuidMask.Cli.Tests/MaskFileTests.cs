using System;
using System.IO;
using Xunit;

namespace CpuidMask.Cli.Tests
{
    /// <summary>
    /// Mask files given to --mask-file: every input gives a mask or exit code 2 with a message naming the file,
    /// the line and the key (compare reads them as apply does, without a vCenter).
    /// </summary>
    public sealed class MaskFileTests : IDisposable
    {
        private const string Dash = "-------------------------------0";

        private readonly string _dir = Path.Combine(Path.GetTempPath(), "cpuidmask-maskfile-" + Guid.NewGuid().ToString("N"));

        public MaskFileTests() => Directory.CreateDirectory(_dir);

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        [Theory]
        [InlineData("\"cpuid.1.ecx\": 12", "MaskFileMalformed", "line 3: key 'cpuid.1.ecx' has 12")]
        [InlineData("\"cpuid.1.ecx\": 1e999", "MaskFileMalformed", "line 3: key 'cpuid.1.ecx' has 1e999")]
        [InlineData("\"cpuid.1.ecx\": true", "MaskFileMalformed", "line 3: key 'cpuid.1.ecx' has true")]
        [InlineData("\"cpuid.1.ecx\": null", "MaskFileMalformed", "line 3: key 'cpuid.1.ecx' has null")]
        [InlineData("\"cpuid.1.ecx\": {\"a\": 1}", "MaskFileMalformed", "line 3: key 'cpuid.1.ecx' has an object")]
        [InlineData("\"cpuid.1.ecx\": [\"" + Dash + "\"]", "MaskFileMalformed", "line 3: key 'cpuid.1.ecx' has an array")]
        [InlineData("\"cpuid.1.ecx\": \"\\ud800" + "-------------------------------\"", "MaskMalformed", "line 3: cpuid.1.ecx = \"\\ud800---")]
        [InlineData("\"cpuid.1.ecx\": \"" + Dash + "\",\n    \"cpuid.1.ecx\": \"" + Dash + "\"", "JsonMalformed", "line 4, column 5:")]
        [InlineData("\"cpuid.1.ecx\": \"" + Dash + "\",\n    \"CPUID.1.ECX\": \"" + Dash + "\"", "MaskKeyDuplicate", "line 4: 'CPUID.1.ECX' is the same key as 'cpuid.1.ecx' (line 3)")]
        [InlineData("\"featMask.vm.cpuid.AVX\": \"garbage\"", "MaskMalformed", "line 3: featMask.vm.cpuid.AVX = \"garbage\"")]
        [InlineData("\"featMask.vm.cpuid.AVX\": \"Val:99999999999999999999\"", "MaskMalformed", "line 3: featMask.vm.cpuid.AVX = \"Val:99999999999999999999\"")]
        [InlineData("\"featMask.vm.cpuid.NOTAFEATURE\": \"Val:0\"", "MaskFeatureUnknown", "line 3: 'featMask.vm.cpuid.NOTAFEATURE' names 'NOTAFEATURE'")]
        [InlineData("\"cpuid.0.ebx\": \"" + Dash + "\"", "MaskKeyVendorRegister", "line 3: 'cpuid.0.ebx' is part of the CPU vendor string")]
        [InlineData("\"cpuid.5.eax\": \"" + Dash + "\"", "MaskKeyUnknownLeaf", "line 3: 'cpuid.5.eax' is for leaf 0x5")]
        public void Compare_JsonMaskFileAgainstTheRules_ExitsTwoNamingFileLineAndKey(string member, string errorId, string message)
        {
            string path = Write("mask.json", "{\n  \"extraConfig\": {\n    " + member + "\n  }\n}\n");

            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", path);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"cpuidmask compare: {path} {message}", result.Err);
            Assert.Contains($"(error {errorId})", result.Err);
        }

        [Theory]
        [InlineData("cpuid.01.ecx")]
        [InlineData("cpuid.1.0.ecx")]
        [InlineData("CPUID.1.ECX")]
        public void Compare_VmxMaskFileWithOneKeyInTwoSpellings_ExitsTwoNamingBothLines(string second)
        {
            string path = Write("mask.vmx", $"cpuid.1.ecx = \"{Dash}\"\n{second} = \"{Dash}\"\n");

            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", path);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"{path} line 2: '{second}' is the same key as 'cpuid.1.ecx' (line 1)", result.Err);
        }

        [Fact]
        public void Compare_UnknownFeatureName_IsReadOnlyWithAllowUnknownFeatures()
        {
            string path = Write("mask.vmx", "featMask.vm.cpuid.NUMLEVELS = \"Max:0xd\"\n");

            var refused = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", path);
            var allowed = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", path, "--allow-unknown-features");

            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("pass --allow-unknown-features", refused.Err);
            Assert.True(allowed.ExitCode == 1, allowed.ToString());
            Assert.Contains("featMask.vm.cpuid.NUMLEVELS = \"Max:0xd\"", allowed.Out);
        }

        [Fact]
        public void Compare_MaskJsonOfABaseline_IsAMaskFile()
        {
            var json = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "json");
            var vmx = CliRunner.Run("mask", "--baseline", "intel-westmere", "--format", "vmx");
            string path = Write("westmere.json", json.Out);

            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", path);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.All(vmx.OutLines, line => Assert.Contains("  " + line + "\n", result.Out));
        }

        [Fact]
        public void Apply_MaskFileInputErrors_StopBeforeAnyConnection()
        {
            string path = Write("mask.json", "{\"extraConfig\": {\"cpuid.1.ecx\": 1e999}}");

            // A server nobody listens on: reading the mask comes first, so the mask's error is what is reported.
            var result = CliRunner.RunProcess("apply", "--server", "127.0.0.1:9", "--vm", "vm01", "--mask-file", path);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("key 'cpuid.1.ecx' has 1e999", result.Err);
            Assert.Contains("(error MaskFileMalformed)", result.Err);
        }

        [Fact]
        public void Undo_FileWhosePreviousValueIsNoMask_ExitsTwoBeforeConnecting()
        {
            string path = Write("undo.json", "{\"server\": \"127.0.0.1\", \"vm\": \"vm01\", \"moref\": \"VirtualMachine:vm-42\", \"appliedAt\": \"2026-01-31T09:14:03.512Z\",\n" +
                " \"changes\": [{\"key\": \"cpuid.1.ecx\", \"previous\": \"not a mask at all\", \"applied\": \"--00-0---0----0-----------------\"}]}");

            var result = CliRunner.Run("undo", "--server", "127.0.0.1:9", "--undo-file", path);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains($"{path} line 2, column", result.Err);
            Assert.Contains("\"previous\" of cpuid.1.ecx = \"not a mask at all\"", result.Err);
            Assert.Contains("(error UndoRecordInvalid)", result.Err);
        }

        // Damaged files, as the fuzz suite makes them: each is exit code 2 and a message naming the file, where and what.
        [Theory]
        [InlineData("mask.json", "{\n  \"extraConfig\": {\n    \"cpuid.1.ecx\": \"--00-0---0", "JsonMalformed", "line 3, column 31: expected a closing '\"', found the end of the text")]
        [InlineData("mask.json", "{\n  \"extraConfig\": {\n    \"cpuid.1.ecx\\n\": \"" + Dash + "\"\n  }\n}\n", "MaskKeyMalformed", "line 3: 'cpuid.1.ecx\\u000a' is not a CPUID mask key")]
        [InlineData("mask.json", "{\n  \"extraConfig\": {\n    \" cpuid.1.ecx\": \"" + Dash + "\"\n  }\n}\n", "MaskKeyMalformed", "line 3: ' cpuid.1.ecx' is not a CPUID mask key")]
        [InlineData("mask.vmx", "cpuid.1.ecx = \"--00-0---0----0-----------------\"\ncpuid.7.ebx = \"--------", "MaskLineMalformed", "line 2: 'cpuid.7.ebx = \"--------' is not a .vmx line")]
        [InlineData("mask.vmx", "cpuid.1.ecx = \"--00-0---0----0----------------\"\n", "MaskMalformed", "line 1: cpuid.1.ecx = \"--00-0---0----0----------------\": the mask has 31 mask characters")]
        [InlineData("mask.vmx", "cpuid.1.ecx = \"--00-0---0----0-----------------\"\rcpuid.1.ECX = \"" + Dash + "\"\r", "MaskKeyDuplicate", "line 2: 'cpuid.1.ECX' is the same key as 'cpuid.1.ecx' (line 1)")]
        public void Compare_DamagedMaskFile_ExitsTwoNamingFileWhereAndWhat(string name, string content, string errorId, string message)
        {
            string path = Write(name, content);

            var result = CliRunner.Run("compare", CliRunner.Avoton, CliRunner.IvyBridge, "--mask-file", path);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains($"cpuidmask compare: {path} {message}", result.Err);
            Assert.Contains($"(error {errorId})", result.Err);
        }

        [Theory]
        [InlineData("{\"server\": \"127.0.0.1\", \"vm\": \"vm01\", \"moref\": \"VirtualMachine:vm-42\",\n \"changes\": [{\"key\": \"cpuid.1.ecx\", \"prev", "JsonMalformed", "line 2, column")]
        [InlineData("{\"server\": \"127.0.0.1\", \"vm\": \"vm01\", \"moref\": \"HostSystem:host-9\", \"changes\": []}", "UndoRecordInvalid", "\"moref\" must be a VM's reference")]
        [InlineData("{\"server\": \"127.0.0.1\", \"vm\": \"vm01\", \"VM\": \"vm02\", \"changes\": []}", "JsonMalformed", "\"VM\" repeats \"vm\"")]
        [InlineData("{\"server\": \"127.0.0.1\", \"vm\": \"vm01\", \"changes\": [{\"key\": \"guestinfo.owner\", \"previous\": \"x\", \"applied\": null}]}", "UndoRecordInvalid", "'guestinfo.owner' is not a CPUID mask key")]
        [InlineData("{\"kind\": \"perVmEvc\", \"server\": \"127.0.0.1\", \"vm\": \"vm01\", \"previous\": [{\"key\": \"cpuid.AVX\", \"value\": \"Val:\uff11\"}], \"applied\": []}", "UndoRecordInvalid", "'cpuid.AVX = Val:\uff11' is not a per-VM EVC feature mask entry")]
        public void Undo_DamagedUndoFile_ExitsTwoNamingTheFileBeforeConnecting(string content, string errorId, string message)
        {
            string path = Write("undo.json", content);

            var result = CliRunner.Run("undo", "--server", "127.0.0.1:9", "--undo-file", path);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains(path, result.Err);
            Assert.Contains(message, result.Err);
            Assert.Contains($"(error {errorId})", result.Err);
        }

        private string Write(string name, string content)
        {
            string path = Path.Combine(_dir, name);
            File.WriteAllText(path, content);
            return path;
        }
    }
}
