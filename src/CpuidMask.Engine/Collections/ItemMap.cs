using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace CpuidMask.Engine.Collections
{
    /// <summary>
    /// An immutable dictionary that keeps its entries in the order given. Through the non-generic
    /// IDictionary, which is what PowerShell's ConvertTo-Json, Export-Clixml and Format-List read, keys and
    /// values are their text (a mask's <c>cpuid.1.ecx</c> → <c>"--00-0---..."</c>): a dictionary keyed by
    /// objects cannot become a JSON object, and those tools would otherwise refuse it or print type names.
    /// Its own text form is <c>key = value; key = value</c>, for the same tools' ToString.
    /// </summary>
    public sealed class ItemMap<TKey, TValue> : IReadOnlyDictionary<TKey, TValue>, IDictionary
        where TKey : notnull
    {
        private readonly KeyValuePair<TKey, TValue>[] _entries;
        private readonly Dictionary<TKey, TValue> _lookup;

        /// <summary>Entries in the order given; a later entry for a key replaces an earlier one in place.</summary>
        public ItemMap(IEnumerable<KeyValuePair<TKey, TValue>>? entries, IEqualityComparer<TKey>? comparer = null)
        {
            _lookup = new Dictionary<TKey, TValue>(comparer ?? EqualityComparer<TKey>.Default);
            var keys = new List<TKey>();
            foreach (var pair in entries ?? Enumerable.Empty<KeyValuePair<TKey, TValue>>())
            {
                if (!_lookup.ContainsKey(pair.Key))
                {
                    keys.Add(pair.Key);
                }

                _lookup[pair.Key] = pair.Value;
            }

            _entries = keys.Select(k => new KeyValuePair<TKey, TValue>(k, _lookup[k])).ToArray();
        }

        public int Count => _entries.Length;

        public IEnumerable<TKey> Keys => _entries.Select(e => e.Key);

        public IEnumerable<TValue> Values => _entries.Select(e => e.Value);

        ICollection IDictionary.Keys => _entries.Select(e => Text(e.Key)).ToArray();

        ICollection IDictionary.Values => _entries.Select(e => Text(e.Value)).ToArray();

        bool IDictionary.IsReadOnly => true;

        bool IDictionary.IsFixedSize => true;

        bool ICollection.IsSynchronized => false;

        object ICollection.SyncRoot => _entries;

        public TValue this[TKey key] => _lookup[key];

        object? IDictionary.this[object key]
        {
            get => FindText(key, out var value) ? value : null;
            set => throw ReadOnly();
        }

        public bool ContainsKey(TKey key) => _lookup.ContainsKey(key);

        public bool TryGetValue(TKey key, out TValue value) => _lookup.TryGetValue(key, out value!);

        public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<TKey, TValue>>)_entries).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        IDictionaryEnumerator IDictionary.GetEnumerator() => new TextEnumerator(_entries.Select(e => new DictionaryEntry(Text(e.Key), Text(e.Value))).ToArray());

        bool IDictionary.Contains(object key) => FindText(key, out _);

        void ICollection.CopyTo(Array array, int index)
        {
            foreach (var entry in _entries)
            {
                array.SetValue(new DictionaryEntry(Text(entry.Key), Text(entry.Value)), index++);
            }
        }

        void IDictionary.Add(object key, object? value) => throw ReadOnly();

        void IDictionary.Clear() => throw ReadOnly();

        void IDictionary.Remove(object key) => throw ReadOnly();

        public override string ToString() => string.Join(ItemList<TKey>.Separator, _entries.Select(e => $"{Text(e.Key)} = {Text(e.Value)}"));

        private static string Text(object? value) => value?.ToString() ?? string.Empty;

        private bool FindText(object key, out string? value)
        {
            if (key is TKey typed && _lookup.TryGetValue(typed, out var found))
            {
                value = Text(found);
                return true;
            }

            foreach (var entry in _entries)
            {
                if (string.Equals(Text(entry.Key), Text(key), StringComparison.OrdinalIgnoreCase))
                {
                    value = Text(entry.Value);
                    return true;
                }
            }

            value = null;
            return false;
        }

        private static NotSupportedException ReadOnly() => new NotSupportedException("The dictionary is read-only.");

        private sealed class TextEnumerator : IDictionaryEnumerator
        {
            private readonly DictionaryEntry[] _entries;
            private int _index = -1;

            public TextEnumerator(DictionaryEntry[] entries)
            {
                _entries = entries;
            }

            public DictionaryEntry Entry => _entries[_index];

            public object Key => Entry.Key;

            public object? Value => Entry.Value;

            public object Current => Entry;

            public bool MoveNext() => ++_index < _entries.Length;

            public void Reset() => _index = -1;
        }
    }
}
