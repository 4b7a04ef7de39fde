using System.Globalization;
using System.Text;

namespace CpuidMask.Engine.Json
{
    /// <summary>Recursive-descent RFC 8259 parser that reports line and column of the first error.</summary>
    internal sealed class JsonParser
    {
        // Deep enough for any vSphere object graph PowerShell writes, shallow enough never to overflow the stack.
        private const int MaxDepth = 256;

        private readonly string _text;
        private readonly string _source;
        private int _pos;
        private int _line = 1;
        private int _lineStart;

        private JsonParser(string text, string source)
        {
            _text = text;
            _source = source;
        }

        public static JsonDomNode Parse(string text, string source)
        {
            var parser = new JsonParser(text, source);
            if (parser._pos < text.Length && text[parser._pos] == '\uFEFF')
            {
                parser._pos++;
                parser._lineStart = 1;
            }

            parser.SkipWhitespace();
            if (parser._pos >= text.Length)
            {
                throw parser.Error("a JSON value", parser._pos);
            }

            var root = parser.ParseValue(0);
            parser.SkipWhitespace();
            if (parser._pos < text.Length)
            {
                throw parser.Error("the end of the text after the top-level value", parser._pos);
            }

            return root;
        }

        private JsonDomNode ParseValue(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error($"at most {MaxDepth} levels of nesting", _pos);
            }

            int line = _line;
            int column = _pos - _lineStart + 1;
            JsonDomNode node;
            char c = _pos < _text.Length ? _text[_pos] : '\0';
            switch (c)
            {
                case '{': node = ParseObject(depth); break;
                case '[': node = ParseArray(depth); break;
                case '"': node = new JsonDomString(ParseString()); break;
                case 't': ExpectWord("true"); node = new JsonDomBool(true); break;
                case 'f': ExpectWord("false"); node = new JsonDomBool(false); break;
                case 'n': ExpectWord("null"); node = new JsonDomNull(); break;
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        node = ParseNumber();
                        break;
                    }

                    throw Error("a JSON value (object, array, string, number, true, false or null)", _pos);
            }

            node.Line = line;
            node.Column = column;
            return node;
        }

        private JsonDomObject ParseObject(int depth)
        {
            var result = new JsonDomObject { SourceName = _source };
            _pos++;
            SkipWhitespace();
            if (Peek() == '}')
            {
                _pos++;
                return result;
            }

            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"')
                {
                    throw Error("a member name in double quotes", _pos);
                }

                int keyPos = _pos;
                string key = ParseString();
                SkipWhitespace();
                if (Peek() != ':')
                {
                    throw Error("':' after member name \"" + key + "\"", _pos);
                }

                _pos++;
                SkipWhitespace();
                var value = ParseValue(depth + 1);
                if (!result.TryAddParsed(key, value))
                {
                    throw Error("each member name once in an object, but \"" + key + "\" appears again", keyPos, describeFound: false);
                }

                SkipWhitespace();
                char c = Peek();
                if (c == ',')
                {
                    _pos++;
                    continue;
                }

                if (c == '}')
                {
                    _pos++;
                    return result;
                }

                throw Error("',' or '}' in an object", _pos);
            }
        }

        private JsonDomArray ParseArray(int depth)
        {
            var result = new JsonDomArray();
            _pos++;
            SkipWhitespace();
            if (Peek() == ']')
            {
                _pos++;
                return result;
            }

            while (true)
            {
                SkipWhitespace();
                result.Add(ParseValue(depth + 1));
                SkipWhitespace();
                char c = Peek();
                if (c == ',')
                {
                    _pos++;
                    continue;
                }

                if (c == ']')
                {
                    _pos++;
                    return result;
                }

                throw Error("',' or ']' in an array", _pos);
            }
        }

        private string ParseString()
        {
            _pos++;
            var builder = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length)
                {
                    throw Error("a closing '\"'", _pos);
                }

                char c = _text[_pos];
                if (c == '"')
                {
                    _pos++;
                    return builder.ToString();
                }

                if (c < 0x20)
                {
                    throw Error("no raw control characters in a string (write \\n, \\t or \\u00XX)", _pos);
                }

                if (c != '\\')
                {
                    builder.Append(c);
                    _pos++;
                    continue;
                }

                int escapeAt = _pos;
                _pos++;
                char e = Peek();
                _pos++;
                switch (e)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (_pos + 4 > _text.Length
                            || !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                        {
                            throw Error("four hex digits after \\u", _pos);
                        }

                        builder.Append((char)code);
                        _pos += 4;
                        break;
                    default:
                        throw Error("an escape such as \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX", escapeAt);
                }
            }
        }

        private JsonDomNumber ParseNumber()
        {
            int start = _pos;
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }

            string number = _text.Substring(start, _pos - start);
            if (!JsonDomNumber.IsValid(number))
            {
                throw Error("a number such as 12, -3, 0.5 or 1e6, but found '" + number + "'", start, describeFound: false);
            }

            return new JsonDomNumber(number);
        }

        private void ExpectWord(string word)
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
            {
                throw Error("a JSON value (object, array, string, number, true, false or null)", _pos);
            }

            _pos += word.Length;
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private void SkipWhitespace()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == '\n')
                {
                    _line++;
                    _lineStart = _pos + 1;
                }
                else if (c != ' ' && c != '\t' && c != '\r')
                {
                    return;
                }

                _pos++;
            }
        }

        private CpuidMaskException Error(string expected, int at, bool describeFound = true)
        {
            // Positions are only tracked across whitespace; recount so an error inside a long string is placed right.
            int line = 1;
            int lineStart = _text.Length > 0 && _text[0] == '\uFEFF' ? 1 : 0;
            for (int i = 0; i < at && i < _text.Length; i++)
            {
                if (_text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            int column = at - lineStart + 1;
            string found = !describeFound
                ? string.Empty
                : at >= _text.Length
                    ? ", found the end of the text"
                    : ", found " + Describe(_text[at]);
            string message = string.Format(
                CultureInfo.InvariantCulture,
                "{0} line {1}, column {2}: expected {3}{4}; the text is not valid JSON.",
                _source,
                line,
                column,
                expected,
                found);
            return new CpuidMaskException("JsonMalformed", ErrorKind.InvalidData, message, _source);
        }

        private static string Describe(char c)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return "character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
            }

            return "'" + c + "'";
        }
    }
}
