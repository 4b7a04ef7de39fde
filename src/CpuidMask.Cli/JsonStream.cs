using System;
using System.Buffers;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CpuidMask.Cli
{
    /// <summary>
    /// JSON written to a text writer as it is produced, in the same form as <see cref="Render.WriteJson"/> (indented,
    /// two spaces): a million directions pass through a buffer of 64 KiB instead of a document held whole.
    /// </summary>
    internal sealed class JsonStream : IDisposable
    {
        private const int FlushAt = 1 << 16;
        private readonly ArrayBufferWriter<byte> _buffer = new ArrayBufferWriter<byte>(FlushAt * 2);
        private readonly TextWriter _out;

        public JsonStream(TextWriter output)
        {
            _out = output;
            Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = true });
        }

        public Utf8JsonWriter Writer { get; }

        /// <summary>Writes "name": node (null as JSON null).</summary>
        public void Property(string name, JsonNode? node)
        {
            Writer.WritePropertyName(name);
            Item(node);
        }

        /// <summary>Writes one value (an array item), passing the text on once enough has gathered.</summary>
        public void Item(JsonNode? node)
        {
            if (node == null)
            {
                Writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(Writer);
            }

            if (Writer.BytesPending + _buffer.WrittenCount >= FlushAt)
            {
                Flush();
            }
        }

        public void Dispose()
        {
            Flush();
            _out.WriteLine();
            Writer.Dispose();
        }

        private void Flush()
        {
            Writer.Flush();
            _out.Write(Encoding.UTF8.GetString(_buffer.WrittenSpan));
            _buffer.Clear();
        }
    }
}
