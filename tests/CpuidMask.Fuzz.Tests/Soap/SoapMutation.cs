using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using CpuidMask.Fuzz.Tests.Masks;
using FsCheck;
using FsCheck.Fluent;

namespace CpuidMask.Fuzz.Tests.Soap
{
    internal enum SoapMutationKind
    {
        CharFlip,
        CharInsert,
        CharDelete,
        Truncate,
        ElementRemove,
        ElementText,
        ElementEmpty,
        ElementRepeat,
        ElementRename,
        XsiType,
        ChangeVersionGone,
        BodyReplace,
    }

    /// <summary>One fuzz case: a scenario, which of its answers is damaged, and how.</summary>
    internal sealed class SoapCase
    {
        // Where a value was: nothing, other kinds, numbers beyond every range, text that is no number or time, markup.
        private static readonly string[] Garbage =
        {
            string.Empty, " ", "-1", "0", "99999999999999999999999999", "-9223372036854775809", "2147483648", "1e999", "NaN", "0x10",
            "true", "yes", "abc", "vm-42", "VirtualMachine", "2026-13-45T99:99:99Z", "\u00A0", "\uFFFD", "<![CDATA[x]]>",
            new string('9', 5000), new string('x', 200_000),
        };

        private static readonly string[] Types =
        {
            "xsd:string", "xsd:int", "xsd:long", "xsd:boolean", "ArrayOfString", "ArrayOfOptionValue", "ArrayOfHostCpuIdInfo",
            "ManagedObjectReference", "OptionValue", "TaskInfo", "ArrayOf", "garbage:thing", ":", string.Empty,
        };

        private static readonly string[] Bodies =
        {
            string.Empty,
            "not xml at all",
            "<html><head><title>503 Service Unavailable</title></head><body>later</body></html>",
            "<?xml version=\"1.0\"?><a/>",
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body/></soapenv:Envelope>",
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault/></soapenv:Body></soapenv:Envelope>",
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><soapenv:Fault><faultstring/><detail><x/></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>",
            "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><x>&b;</x>",
            "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><x/>",
            string.Concat(Enumerable.Repeat("<a>", 20_000)),
            "\uFEFF\0\0\0",
        };

        public SoapCase(SoapScenario scenario, SoapMutationKind kind, int answer, int a, int b, char c)
        {
            Scenario = scenario;
            Kind = kind;
            Answer = answer % scenario.Answers.Count;
            A = a;
            B = b;
            C = c;
        }

        public SoapScenario Scenario { get; }

        public SoapMutationKind Kind { get; }

        /// <summary>Which answer of the scenario is damaged.</summary>
        public int Answer { get; }

        public int A { get; }

        public int B { get; }

        public char C { get; }

        public static Arbitrary<SoapCase> Over(IReadOnlyList<SoapScenario> scenarios)
        {
            var kinds = Gen.Frequency(
                (8, Gen.Constant(SoapMutationKind.CharFlip)),
                (4, Gen.Constant(SoapMutationKind.CharInsert)),
                (4, Gen.Constant(SoapMutationKind.CharDelete)),
                (5, Gen.Constant(SoapMutationKind.Truncate)),
                (12, Gen.Constant(SoapMutationKind.ElementRemove)),
                (15, Gen.Constant(SoapMutationKind.ElementText)),
                (6, Gen.Constant(SoapMutationKind.ElementEmpty)),
                (6, Gen.Constant(SoapMutationKind.ElementRepeat)),
                (4, Gen.Constant(SoapMutationKind.ElementRename)),
                (8, Gen.Constant(SoapMutationKind.XsiType)),
                (4, Gen.Constant(SoapMutationKind.ChangeVersionGone)),
                (4, Gen.Constant(SoapMutationKind.BodyReplace)));
            var chars = Gen.OneOf(Gen.Elements("<>&\"'/=:-0123456789abcxyz \n\0\uFFFE\uD800".ToCharArray()), Gen.Choose(0, 255).Select(i => (char)i));
            var cases =
                from scenario in Gen.Elements(scenarios.ToArray())
                from kind in kinds
                from answer in Gen.Choose(0, int.MaxValue)
                from a in Gen.Choose(0, int.MaxValue)
                from b in Gen.Choose(0, int.MaxValue)
                from c in chars
                select new SoapCase(scenario, kind, answer, a, b, c);
            return Arb.From(cases);
        }

        /// <summary>The script with one answer damaged, and what was done.</summary>
        public (IReadOnlyList<(string Method, string Text, System.Net.HttpStatusCode Status)> Script, string What) Apply()
        {
            var answer = Scenario.Answers[Answer];
            var (text, what) = Damage(answer.Text);
            var script = Scenario.Answers.Select((x, i) => (x.Method, i == Answer ? text : x.Text, x.Status)).ToArray();
            return (script, $"answer {Answer + 1} ({answer.Method}, {answer.File}): {what}");
        }

        public override string ToString() => $"{Scenario.Name}: {Kind} {Apply().What}";

        private (string Text, string What) Damage(string text)
        {
            int pos = A % text.Length;
            switch (Kind)
            {
                case SoapMutationKind.CharFlip:
                    return (text.Substring(0, pos) + C + text.Substring(pos + 1), $"char {pos} {MaskCase.Show(text[pos])} -> {MaskCase.Show(C)}");
                case SoapMutationKind.CharInsert:
                    return (text.Insert(pos, C.ToString()), $"insert {MaskCase.Show(C)} at {pos}");
                case SoapMutationKind.CharDelete:
                    return (text.Remove(pos, 1), $"delete {MaskCase.Show(text[pos])} at {pos}");
                case SoapMutationKind.Truncate:
                    return (text.Substring(0, pos), $"cut at {pos}");
                case SoapMutationKind.BodyReplace:
                {
                    string body = Bodies[B % Bodies.Length];
                    return (body, "the whole answer replaced by " + MaskCase.Show(body));
                }
            }

            var document = XDocument.Parse(text, LoadOptions.PreserveWhitespace);
            var elements = document.Descendants().Skip(2).ToArray();
            var element = elements[A % elements.Length];
            string where = $"<{element.Name.LocalName}> #{A % elements.Length} ({MaskCase.Show(element.Value)})";
            switch (Kind)
            {
                case SoapMutationKind.ElementRemove:
                    element.Remove();
                    return (Serialize(document), "removed " + where);
                case SoapMutationKind.ElementText:
                {
                    var leaves = elements.Where(e => !e.HasElements).ToArray();
                    var leaf = leaves[A % leaves.Length];
                    string value = Garbage[B % Garbage.Length];
                    string was = $"<{leaf.Name.LocalName}> {MaskCase.Show(leaf.Value)}";
                    leaf.Value = value;
                    return (Serialize(document), $"{was} set to {MaskCase.Show(value)}");
                }

                case SoapMutationKind.ElementEmpty:
                    element.RemoveNodes();
                    return (Serialize(document), "emptied " + where);
                case SoapMutationKind.ElementRepeat:
                    element.AddAfterSelf(new XElement(element));
                    return (Serialize(document), "repeated " + where);
                case SoapMutationKind.ElementRename:
                {
                    var other = elements[B % elements.Length];
                    string was = where;
                    // In the element's own namespace: the default namespace it declares may not change under it.
                    element.Name = element.Name.Namespace + other.Name.LocalName;
                    return (Serialize(document), $"{was} renamed <{other.Name.LocalName}>");
                }

                case SoapMutationKind.XsiType:
                {
                    XNamespace xsi = "http://www.w3.org/2001/XMLSchema-instance";
                    var typed = elements.Where(e => e.Attribute(xsi + "type") != null).ToArray();
                    var target = typed.Length > 0 ? typed[A % typed.Length] : element;
                    string type = Types[B % Types.Length];
                    string was = $"<{target.Name.LocalName} xsi:type=\"{target.Attribute(xsi + "type")?.Value}\">";
                    target.SetAttributeValue(xsi + "type", type);
                    return (Serialize(document), $"{was} typed {MaskCase.Show(type)}");
                }

                case SoapMutationKind.ChangeVersionGone:
                {
                    var versions = document.Descendants().Where(e => e.Name.LocalName == "propSet" && e.Elements().Any(n => n.Name.LocalName == "name" && n.Value == "config.changeVersion")).ToArray();
                    if (versions.Length == 0)
                    {
                        goto case SoapMutationKind.ElementRemove;
                    }

                    if (B % 2 == 0)
                    {
                        foreach (var v in versions)
                        {
                            v.Remove();
                        }

                        return (Serialize(document), "no config.changeVersion");
                    }

                    foreach (var v in versions)
                    {
                        v.Elements().First(e => e.Name.LocalName == "val").Value = string.Empty;
                    }

                    return (Serialize(document), "config.changeVersion empty");
                }

                default:
                    throw new InvalidOperationException(Kind.ToString());
            }
        }

        private static string Serialize(XDocument document) => document.Declaration + document.ToString(SaveOptions.DisableFormatting);
    }
}
