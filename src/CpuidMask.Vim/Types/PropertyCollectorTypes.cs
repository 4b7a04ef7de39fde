using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using CpuidMask.Engine;
using CpuidMask.Vim.Soap;

namespace CpuidMask.Vim.Types
{
    /// <summary>Which properties to read of which type of object.</summary>
    public sealed class PropertySpec
    {
        public PropertySpec(string type, IEnumerable<string> pathSet)
        {
            Type = type;
            PathSet = pathSet.ToArray();
        }

        public string Type { get; }

        public bool All { get; init; }

        public IReadOnlyList<string> PathSet { get; }

        internal XElement ToXml(string name) => new XElement(
            VimXml.Vim + name,
            VimXml.Element("type", Type),
            VimXml.Element("all", VimXml.Format(All)),
            PathSet.Select(p => VimXml.Element("pathSet", p)));
    }

    /// <summary>Where to start a property collection, and how to walk from there.</summary>
    public sealed class ObjectSpec
    {
        public ObjectSpec(ManagedObjectReference obj) => Obj = obj;

        public ManagedObjectReference Obj { get; }

        /// <summary>True to report only the objects reached by the selection, not the start object itself.</summary>
        public bool Skip { get; init; }

        public IReadOnlyList<TraversalSpec> SelectSet { get; init; } = Array.Empty<TraversalSpec>();

        internal XElement ToXml(string name) => new XElement(
            VimXml.Vim + name,
            Obj.ToXml("obj"),
            VimXml.Element("skip", VimXml.Format(Skip)),
            SelectSet.Select(s => s.ToXml("selectSet")));
    }

    /// <summary>A step from an object of one type along one property (e.g. ContainerView.view).</summary>
    public sealed class TraversalSpec
    {
        public TraversalSpec(string name, string type, string path)
        {
            Name = name;
            Type = type;
            Path = path;
        }

        public string Name { get; }

        public string Type { get; }

        public string Path { get; }

        public bool Skip { get; init; }

        // selectSet is a SelectionSpec[] on the wire, so the concrete type must be named.
        internal XElement ToXml(string name) => new XElement(
            VimXml.Vim + name,
            VimXml.XsiTypeAttribute("TraversalSpec"),
            VimXml.Element("name", Name),
            VimXml.Element("type", Type),
            VimXml.Element("path", Path),
            VimXml.Element("skip", VimXml.Format(Skip)));

        /// <summary>The traversal from a ContainerView to the objects it shows.</summary>
        public static TraversalSpec ContainerViewToObjects() => new TraversalSpec("traverseView", "ContainerView", "view");
    }

    public sealed class PropertyFilterSpec
    {
        public PropertyFilterSpec(IEnumerable<PropertySpec> propSet, IEnumerable<ObjectSpec> objectSet)
        {
            PropSet = propSet.ToArray();
            ObjectSet = objectSet.ToArray();
        }

        public IReadOnlyList<PropertySpec> PropSet { get; }

        public IReadOnlyList<ObjectSpec> ObjectSet { get; }

        internal XElement ToXml(string name) => new XElement(
            VimXml.Vim + name,
            PropSet.Select(p => p.ToXml("propSet")),
            ObjectSet.Select(o => o.ToXml("objectSet")));
    }

    public sealed class RetrieveOptions
    {
        /// <summary>Objects per page; the server may return fewer. Null lets the server choose.</summary>
        public int? MaxObjects { get; init; }

        internal XElement ToXml(string name) => new XElement(VimXml.Vim + name, VimXml.Optional("maxObjects", MaxObjects));
    }

    /// <summary>One page of RetrievePropertiesEx: objects, and a token when more pages follow.</summary>
    public sealed class RetrieveResult
    {
        public string? Token { get; init; }

        public IReadOnlyList<ObjectContent> Objects { get; init; } = Array.Empty<ObjectContent>();

        /// <param name="e">The returnval; null when nothing matched.</param>
        /// <param name="server">Who answered, for the ResponseMalformed error of an answer that cannot be read.</param>
        internal static RetrieveResult FromXml(XElement? e, Uri? server = null) => e == null ? new RetrieveResult() : new RetrieveResult
        {
            Token = e.Text("token"),
            Objects = e.Children("objects").Select(o => ObjectContent.FromXml(o, server)).ToArray(),
        };
    }

    /// <summary>
    /// One page of RetrievePropertiesEx decoded object by object: what each object was turned into, and a
    /// token when more pages follow.
    /// </summary>
    public sealed class RetrievePage<T>
    {
        public string? Token { get; init; }

        public IReadOnlyList<T> Items { get; init; } = Array.Empty<T>();

        // On <...Response>: reads its first returnval. Each <objects> becomes a small tree of its own, is
        // decoded and dropped, so a page of a thousand hosts never exists as one tree.
        internal static RetrievePage<T> Read(XmlReader reader, Func<ObjectContent, T> decode, Uri? server = null)
        {
            string? token = null;
            var items = new List<T>();
            bool seenReturnval = false;
            if (reader.IsEmptyElement)
            {
                reader.Read();
                return new RetrievePage<T> { Items = items };
            }

            int depth = reader.Depth;
            reader.Read();
            while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    reader.Read();
                }
                else if (seenReturnval || reader.LocalName != "returnval" || reader.IsEmptyElement)
                {
                    seenReturnval |= reader.LocalName == "returnval";
                    reader.Skip();
                }
                else
                {
                    seenReturnval = true;
                    reader.Read();
                    while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth + 1))
                    {
                        if (reader.NodeType != XmlNodeType.Element)
                        {
                            reader.Read();
                        }
                        else if (reader.LocalName == "objects")
                        {
                            items.Add(decode(ObjectContent.FromXml((XElement)XNode.ReadFrom(reader), server)));
                        }
                        else if (reader.LocalName == "token" && token == null)
                        {
                            token = ((XElement)XNode.ReadFrom(reader)).Value;
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    reader.Read();
                }
            }

            reader.Read();
            return new RetrievePage<T> { Token = token, Items = items };
        }
    }

    /// <summary>The properties read of one object.</summary>
    public sealed class ObjectContent
    {
        public ObjectContent(ManagedObjectReference obj, IEnumerable<DynamicProperty> propSet, IEnumerable<MissingProperty>? missingSet = null)
        {
            Obj = obj;
            PropSet = propSet.ToArray();
            MissingSet = missingSet?.ToArray() ?? Array.Empty<MissingProperty>();
        }

        public ManagedObjectReference Obj { get; }

        /// <summary>Properties that have a value. Unset properties are simply absent.</summary>
        public IReadOnlyList<DynamicProperty> PropSet { get; }

        /// <summary>Properties the server could not read (e.g. no permission).</summary>
        public IReadOnlyList<MissingProperty> MissingSet { get; }

        /// <summary>The raw value of a property path, or null when unset.</summary>
        public XElement? this[string path] => PropSet.FirstOrDefault(p => p.Name == path)?.Val;

        internal string? GetString(string path)
        {
            var value = this[path];
            return value?.Value;
        }

        internal ManagedObjectReference? GetMoRef(string path) => ManagedObjectReference.FromXml(this[path]);

        /// <summary>The server the object was read from, for messages; null for one made in code.</summary>
        internal Uri? Server { get; private set; }

        /// <summary>The items of an array property; an item the decoder cannot read (FormatException) is ResponseMalformed.</summary>
        internal IReadOnlyList<T> GetArray<T>(string path, Func<XElement, T> decode) =>
            Decode(path, VimXml.Items(this[path]), decode);

        /// <summary>
        /// The repeated <paramref name="localName"/> elements of a data object property (ServiceInstance capability's
        /// supportedEVCMode); an element the decoder cannot read is ResponseMalformed, as in <see cref="GetArray"/>.
        /// </summary>
        internal IReadOnlyList<T> GetChildren<T>(string path, string localName, Func<XElement, T> decode) =>
            Decode(path, this[path]?.Children(localName) ?? Enumerable.Empty<XElement>(), decode);

        private IReadOnlyList<T> Decode<T>(string path, IEnumerable<XElement> items, Func<XElement, T> decode)
        {
            try
            {
                return items.Select(decode).ToArray();
            }
            catch (FormatException ex)
            {
                throw Malformed(Server, $"{path} of {Obj} that cannot be read ({ex.Message.TrimEnd('.')})");
            }
        }

        internal static ObjectContent FromXml(XElement e, Uri? server = null)
        {
            var obj = ManagedObjectReference.FromXml(e.Child("obj"))
                ?? throw Malformed(server, "an object without its reference (<obj>)");
            var props = e.Children("propSet").Select(p => new DynamicProperty(p.Text("name") ?? string.Empty, p.Child("val")));
            var missing = e.Children("missingSet").Select(m => new MissingProperty(m.Text("path") ?? string.Empty, LocalizedMethodFault.FromXml(m.Child("fault"))));
            return new ObjectContent(obj, props, missing) { Server = server };
        }

        // A damaged answer (or one from something that is not vSphere) is the client's typed error, never a crash.
        private static CpuidMaskException Malformed(Uri? server, string what) => new CpuidMaskException(
            VimErrorIds.ResponseMalformed,
            ErrorKind.InvalidData,
            $"{server?.ToString() ?? "The server"} answered with {what}. The answer is damaged or not from vCenter or ESXi; check the address and try again.",
            server?.ToString());
    }

    /// <summary>A property path and its value as the server sent it (with xsi:type; arrays wrapped in ArrayOfX).</summary>
    public sealed class DynamicProperty
    {
        public DynamicProperty(string name, XElement? val)
        {
            Name = name;
            Val = val;
        }

        public string Name { get; }

        public XElement? Val { get; }

        /// <summary>The value's xsi:type without prefix, e.g. "ArrayOfHostCpuIdInfo", "string".</summary>
        public string? ValType => Val?.XsiType();
    }

    public sealed class MissingProperty
    {
        public MissingProperty(string path, LocalizedMethodFault? fault)
        {
            Path = path;
            Fault = fault;
        }

        public string Path { get; }

        public LocalizedMethodFault? Fault { get; }
    }

    /// <summary>A fault as carried inside data (TaskInfo.error, MissingProperty.fault).</summary>
    public sealed class LocalizedMethodFault
    {
        /// <summary>The fault's type name, e.g. "InvalidPowerState".</summary>
        public string FaultType { get; init; } = "SystemError";

        public string? LocalizedMessage { get; init; }

        /// <summary>The fault object (its properties, e.g. requestedState), for callers that need more.</summary>
        public XElement? Fault { get; init; }

        internal static LocalizedMethodFault? FromXml(XElement? e)
        {
            if (e == null)
            {
                return null;
            }

            var fault = e.Child("fault");
            return new LocalizedMethodFault
            {
                FaultType = fault?.XsiType() ?? "SystemError",
                LocalizedMessage = e.Text("localizedMessage"),
                Fault = fault,
            };
        }
    }
}
