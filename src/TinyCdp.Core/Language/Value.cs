using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TinyCdp.Language;

/// <summary>
/// A run-time value of the expression language: null, bool, number, string, list or object.
/// Immutable and cheap to copy; numbers are always finite (a non-finite result is null).
/// Equality is by kind and value (a number never equals a string, <c>1 == 1.0</c>), deep for
/// lists and objects.
/// </summary>
public readonly struct Value : IEquatable<Value>
{
    private static readonly Value[] EmptyItems = [];
    private readonly object? _ref;
    private readonly double _number;

    private Value(ValueKind kind, double number, object? reference)
    {
        Kind = kind;
        _number = number;
        _ref = reference;
    }

    /// <summary>The null value.</summary>
    public static Value Null => default;

    /// <summary>The value <c>true</c>.</summary>
    public static Value True { get; } = new(ValueKind.Bool, 1, null);

    /// <summary>The value <c>false</c>.</summary>
    public static Value False { get; } = new(ValueKind.Bool, 0, null);

    /// <summary>The kind of this value.</summary>
    public ValueKind Kind { get; }

    /// <summary>True when this is null.</summary>
    public bool IsNull => Kind == ValueKind.Null;

    /// <summary>True only for the boolean <c>true</c>: in a boolean position everything else is false.</summary>
    public bool IsTrue => Kind == ValueKind.Bool && _number != 0;

    /// <summary>A boolean.</summary>
    public static Value Bool(bool value) => value ? True : False;

    /// <summary>A number; NaN and infinities become null so that every stored value is valid JSON.</summary>
    public static Value Number(double value) =>
        double.IsFinite(value) ? new Value(ValueKind.Number, value == 0 ? 0 : value, null) : Null;

    /// <summary>A string; a null reference gives the null value.</summary>
    public static Value String(string? value) => value is null ? Null : new Value(ValueKind.String, 0, value);

    /// <summary>A list. The array is owned by the value from now on and must not be changed.</summary>
    public static Value List(Value[] items) => new(ValueKind.List, 0, items);

    /// <summary>A list copied from a sequence.</summary>
    public static Value List(IEnumerable<Value> items) => new(ValueKind.List, 0, items.ToArray());

    /// <summary>An object (keys compared ordinally).</summary>
    public static Value Object(IEnumerable<KeyValuePair<string, Value>> properties) =>
        new(ValueKind.Object, 0, properties.ToFrozenDictionary(StringComparer.Ordinal));

    /// <summary>The number, when <see cref="Kind"/> is <see cref="ValueKind.Number"/>.</summary>
    public bool TryGetNumber(out double number)
    {
        number = _number;
        return Kind == ValueKind.Number;
    }

    /// <summary>The string, when <see cref="Kind"/> is <see cref="ValueKind.String"/>.</summary>
    public bool TryGetString([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        text = _ref as string;
        return Kind == ValueKind.String;
    }

    /// <summary>The items, when <see cref="Kind"/> is <see cref="ValueKind.List"/>; otherwise empty.</summary>
    public ReadOnlySpan<Value> Items => Kind == ValueKind.List ? (Value[])_ref! : EmptyItems;

    /// <summary>The properties, when <see cref="Kind"/> is <see cref="ValueKind.Object"/>; otherwise null.</summary>
    public IReadOnlyDictionary<string, Value>? Properties => Kind == ValueKind.Object ? (FrozenDictionary<string, Value>)_ref! : null;

    /// <summary>The number (0 when not a number).</summary>
    public double AsNumber => Kind == ValueKind.Number ? _number : 0;

    /// <summary>The string (null when not a string).</summary>
    public string? AsString => _ref as string;

    /// <summary>An object's property by name; null when missing or when this is not an object.</summary>
    public Value Member(string name) =>
        Kind == ValueKind.Object && ((FrozenDictionary<string, Value>)_ref!).TryGetValue(name, out var value) ? value : Null;

    /// <summary>A list item by whole-number index (null when out of range) or an object property by string key.</summary>
    public Value Index(Value index)
    {
        if (Kind == ValueKind.List && index.Kind == ValueKind.Number)
        {
            var items = (Value[])_ref!;
            var i = index._number;
            return i >= 0 && i < items.Length && Math.Floor(i) == i ? items[(int)i] : Null;
        }

        return index.Kind == ValueKind.String ? Member((string)index._ref!) : Null;
    }

    /// <summary>Equality by kind and value, deep for lists and objects.</summary>
    public bool Equals(Value other)
    {
        if (Kind != other.Kind)
        {
            return false;
        }

        switch (Kind)
        {
            case ValueKind.Null:
                return true;
            case ValueKind.Bool:
            case ValueKind.Number:
                return _number == other._number;
            case ValueKind.String:
                return string.Equals((string)_ref!, (string)other._ref!, StringComparison.Ordinal);
            case ValueKind.List:
                return Items.SequenceEqual(other.Items);
            default:
                var mine = (FrozenDictionary<string, Value>)_ref!;
                var theirs = (FrozenDictionary<string, Value>)other._ref!;
                if (mine.Count != theirs.Count)
                {
                    return false;
                }

                foreach (var (key, value) in mine)
                {
                    if (!theirs.TryGetValue(key, out var otherValue) || !value.Equals(otherValue))
                    {
                        return false;
                    }
                }

                return true;
        }
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Value other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        switch (Kind)
        {
            case ValueKind.Null:
                return 0;
            case ValueKind.Bool:
            case ValueKind.Number:
                return HashCode.Combine(Kind, _number);
            case ValueKind.String:
                return HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode((string)_ref!));
            case ValueKind.List:
                var hash = new HashCode();
                foreach (var item in Items)
                {
                    hash.Add(item);
                }

                return hash.ToHashCode();
            default:
                var sum = 0;
                foreach (var (key, value) in (FrozenDictionary<string, Value>)_ref!)
                {
                    sum += HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), value);
                }

                return sum;
        }
    }

    /// <summary>Equality by kind and value.</summary>
    public static bool operator ==(Value left, Value right) => left.Equals(right);

    /// <summary>Inequality by kind and value.</summary>
    public static bool operator !=(Value left, Value right) => !left.Equals(right);

    /// <summary>
    /// Orders two numbers, or two strings ordinally. Any other pair has no order and gives false.
    /// </summary>
    public static bool TryCompare(Value left, Value right, out int order)
    {
        if (left.Kind == ValueKind.Number && right.Kind == ValueKind.Number)
        {
            order = left._number.CompareTo(right._number);
            return true;
        }

        if (left.Kind == ValueKind.String && right.Kind == ValueKind.String)
        {
            order = string.CompareOrdinal((string)left._ref!, (string)right._ref!);
            return true;
        }

        order = 0;
        return false;
    }

    /// <summary>Converts a JSON element; numbers outside the double range become null.</summary>
    public static Value FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True => True,
        JsonValueKind.False => False,
        JsonValueKind.Number => element.TryGetDouble(out var number) ? Number(number) : Null,
        JsonValueKind.String => String(element.GetString()),
        JsonValueKind.Array => List(element.EnumerateArray().Select(FromJson)),
        JsonValueKind.Object => ObjectFromJson(element),
        _ => Null,
    };

    // A repeated member keeps its first position and its last value. Straight into the dictionary
    // Object freezes (it takes a Dictionary with the ordinal comparer as it is): replaying stored
    // events parses every event's properties, and a GroupBy here cost ten times the parse.
    private static Value ObjectFromJson(JsonElement element)
    {
        var properties = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            properties[property.Name] = FromJson(property.Value);
        }

        return Object(properties);
    }

    /// <summary>Parses JSON text into a value.</summary>
    public static Value ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    /// <summary>Writes this value as JSON.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (Kind)
        {
            case ValueKind.Null:
                writer.WriteNullValue();
                break;
            case ValueKind.Bool:
                writer.WriteBooleanValue(IsTrue);
                break;
            case ValueKind.Number:
                writer.WriteNumberValue(_number);
                break;
            case ValueKind.String:
                writer.WriteStringValue((string)_ref!);
                break;
            case ValueKind.List:
                writer.WriteStartArray();
                foreach (var item in Items)
                {
                    item.WriteTo(writer);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartObject();
                foreach (var (key, value) in ((FrozenDictionary<string, Value>)_ref!).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    value.WriteTo(writer);
                }

                writer.WriteEndObject();
                break;
        }
    }

    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_json;

    /// <summary>This value as compact JSON text (object keys in ordinal order).</summary>
    public string ToJson()
    {
        switch (Kind)
        {
            case ValueKind.Null:
                return "null";
            case ValueKind.Bool:
                return IsTrue ? "true" : "false";
            case ValueKind.Number:
                return FormatNumber(_number);
        }

        // Strings, lists and objects go through one reused writer per thread.
        var (buffer, writer) = t_json ??= CreateJsonWriter();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        WriteTo(writer);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) CreateJsonWriter()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        return (buffer, new Utf8JsonWriter(buffer));
    }

    /// <summary>The JSON text of this value; numbers in the shortest round-trip form.</summary>
    public override string ToString() => Kind switch
    {
        ValueKind.Number => FormatNumber(_number),
        _ => ToJson(),
    };

    internal static string FormatNumber(double number) => number.ToString("R", CultureInfo.InvariantCulture);
}
