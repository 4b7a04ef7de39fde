using System.Linq;
using CpuidMask.Engine.Json;
using Xunit;

namespace CpuidMask.Engine.Tests.Readers
{
    public class JsonDomTests
    {
        [Fact]
        public void Parse_NestedDocument_KeepsValuesOrderAndPositions()
        {
            const string text = "{\n  \"b\": [1, -2.5e3, true, false, null],\n  \"a\": {\"x\": \"y\"},\n  \"B\": \"upper\"\n}";
            var root = Assert.IsType<JsonDomObject>(JsonDomNode.Parse(text, "t.json"));

            Assert.Equal(new[] { "b", "a", "B" }, root.Keys.ToArray());
            var array = Assert.IsType<JsonDomArray>(root["b"]);
            Assert.Equal(5, array.Count);
            Assert.Equal(1, Assert.IsType<JsonDomNumber>(array[0]).GetInt64());
            Assert.Equal("-2.5e3", ((JsonDomNumber)array[1]).Text);
            Assert.Equal(-2500.0, ((JsonDomNumber)array[1]).GetDouble());
            Assert.False(((JsonDomNumber)array[1]).TryGetInt64(out _));
            Assert.True(Assert.IsType<JsonDomBool>(array[2]).Value);
            Assert.IsType<JsonDomNull>(array[4]);
            Assert.Equal(2, array.Line);
            Assert.Equal(8, array.Column);
            Assert.Equal("y", ((JsonDomString)((JsonDomObject)root["a"])["x"]).Value);
        }

        [Fact]
        public void TryGet_DifferentCase_FindsMemberButPrefersExactKey()
        {
            var root = (JsonDomObject)JsonDomNode.Parse("{\"CpuFeature\": 1, \"b\": 2}", "t.json");
            var built = new JsonDomObject().Add("b", 2).Add("B", 3);

            Assert.True(root.TryGet("cpuFeature", out var found));
            Assert.Equal("1", ((JsonDomNumber)found).Text);
            Assert.False(root.TryGetValue("cpuFeature", out _));
            Assert.Equal("2", ((JsonDomNumber)root.Get("B")!).Text);
            Assert.Null(root.Get("missing"));
            Assert.Equal("3", ((JsonDomNumber)built.Get("B")!).Text);
            Assert.Equal("2", ((JsonDomNumber)built.Get("b")!).Text);
        }

        /// <summary>Fuzzing found it: a "key" line inserted in a vSphere capability that ConvertTo-Json wrote ("Key") took its place.</summary>
        [Fact]
        public void TryGet_ParsedObjectWithTheNameInTwoCases_IsRefusedNamingBothLines()
        {
            var root = (JsonDomObject)JsonDomNode.Parse("{\n\"Key\": \"cpuid.SSE3\",\n\"key\": \"cpuid.IBRS\",\n\"Value\": \"1\"\n}", "host.json");

            var ex = Assert.Throws<CpuidMaskException>(() => root.Get("key"));

            Assert.Equal("JsonMalformed", ex.ErrorId);
            Assert.StartsWith("host.json line 3: \"key\" repeats \"Key\" (line 2) in another case", ex.Message);
            Assert.Equal("1", ((JsonDomString)root.Get("value")!).Value);
        }

        [Fact]
        public void Parse_StringEscapes_DecodeAndWriteBack()
        {
            var node = JsonDomNode.Parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 \\u0001\"", "t.json");
            var value = Assert.IsType<JsonDomString>(node).Value;

            Assert.Equal("q\" b\\ s/ \b\f\n\r\t \u00e9 \U0001F600 \u0001", value);
            Assert.Equal("\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \u00e9 \U0001F600 \\u0001\"", node.ToJson(false));
            Assert.Equal(value, ((JsonDomString)JsonDomNode.Parse(node.ToJson(false), "again")).Value);
        }

        [Fact]
        public void ToJson_Indented_UsesTwoSpacesAndColonSpace()
        {
            var root = new JsonDomObject()
                .Add("name", "host\"1")
                .Add("count", 3)
                .Add("empty", new JsonDomArray())
                .Add("none", new JsonDomObject())
                .Add("list", new JsonDomArray().Add("a").Add(new JsonDomNumber(-2147483647L)))
                .Add("flag", true)
                .Add("nothing", (string?)null);

            const string expected = "{\n  \"name\": \"host\\\"1\",\n  \"count\": 3,\n  \"empty\": [],\n  \"none\": {},\n  \"list\": [\n    \"a\",\n    -2147483647\n  ],\n  \"flag\": true,\n  \"nothing\": null\n}";
            Assert.Equal(expected, root.ToJson(indented: true));
            Assert.Equal("{\"name\":\"host\\\"1\",\"count\":3,\"empty\":[],\"none\":{},\"list\":[\"a\",-2147483647],\"flag\":true,\"nothing\":null}", root.ToJson(false));
            Assert.Equal(expected, JsonDomNode.Parse(expected, "t.json").ToJson(true));
        }

        [Fact]
        public void JsonNumber_KeepsOriginalText()
        {
            var node = (JsonDomNumber)JsonDomNode.Parse("12345678901234567890123", "t.json");

            Assert.Equal("12345678901234567890123", node.ToJson(false));
            Assert.False(node.TryGetInt64(out _));
            Assert.Equal("0.1", new JsonDomNumber(0.1).Text);
        }

        [Fact]
        public void Indexer_Set_ReplacesInPlace()
        {
            var root = new JsonDomObject().Add("a", 1).Add("b", 2);
            root["a"] = new JsonDomString("x");
            root["c"] = new JsonDomNumber(3L);

            Assert.Equal("{\"a\":\"x\",\"b\":2,\"c\":3}", root.ToJson(false));
            Assert.True(root.Remove("a"));
            Assert.Equal("{\"b\":2,\"c\":3}", root.ToJson(false));
            Assert.Equal("2", ((JsonDomNumber)root["b"]).Text);
        }

        [Theory]
        [InlineData("", 1, 1, "expected a JSON value")]
        [InlineData("{\"a\": 1,}", 1, 9, "expected a member name")]
        [InlineData("{\"a\": 1\n \"b\": 2}", 2, 2, "expected ',' or '}'")]
        [InlineData("[1, 2", 1, 6, "found the end of the text")]
        [InlineData("{\"a\" 1}", 1, 6, "expected ':' after member name \"a\"")]
        [InlineData("\"abc", 1, 5, "closing '\"'")]
        [InlineData("01", 1, 1, "but found '01'")]
        [InlineData("-", 1, 1, "expected a number")]
        [InlineData("[tru]", 1, 2, "expected a JSON value")]
        [InlineData("{\"a\": 1, \"a\": 2}", 1, 10, "\"a\" appears again")]
        [InlineData("\"a\nb\"", 1, 3, "control characters")]
        [InlineData("\"\\x\"", 1, 2, "an escape")]
        [InlineData("{} {}", 1, 4, "expected the end of the text")]
        public void Parse_MalformedText_ThrowsJsonMalformedWithPosition(string text, int line, int column, string fragment)
        {
            var ex = Assert.Throws<CpuidMaskException>(() => JsonDomNode.Parse(text, "hosts.json"));

            Assert.Equal("JsonMalformed", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidData, ex.Kind);
            Assert.Contains($"hosts.json line {line}, column {column}:", ex.Message);
            Assert.Contains(fragment, ex.Message);
        }

        [Fact]
        public void Parse_DeepNesting_IsRefusedNotStackOverflow()
        {
            string text = new string('[', 100000) + new string(']', 100000);

            var ex = Assert.Throws<CpuidMaskException>(() => JsonDomNode.Parse(text, "deep.json"));
            Assert.Equal("JsonMalformed", ex.ErrorId);
            Assert.Contains("levels of nesting", ex.Message);
        }

        [Fact]
        public void Parse_ByteOrderMark_IsSkipped()
        {
            Assert.IsType<JsonDomObject>(JsonDomNode.Parse("\uFEFF {}", "bom.json"));
        }
    }
}
