using System.Collections.Immutable;

namespace TinyCdp.Language;

/// <summary>
/// A path into an event's properties: <c>amount</c>, <c>item.price</c>, <c>properties["order total"]</c>.
/// Equal paths have equal segments.
/// </summary>
internal sealed class PropertyPath : IEquatable<PropertyPath>
{
    /// <summary>Creates a path from its segments (at least one).</summary>
    public PropertyPath(ImmutableArray<string> segments)
    {
        if (segments.IsDefaultOrEmpty)
        {
            throw new ArgumentException("A property path needs at least one segment.", nameof(segments));
        }

        Segments = segments;
    }

    /// <summary>The property names from the outermost in.</summary>
    public ImmutableArray<string> Segments { get; }

    /// <summary>Reads the path from an object value; null when any step is missing.</summary>
    public Value Get(Value properties)
    {
        var current = properties;
        foreach (var segment in Segments)
        {
            current = current.Member(segment);
        }

        return current;
    }

    /// <inheritdoc />
    public bool Equals(PropertyPath? other) => other is not null && Segments.SequenceEqual(other.Segments, StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PropertyPath);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var segment in Segments)
        {
            hash.Add(segment, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    /// <summary>The canonical text, as it is written inside <c>where(...)</c> or as an aggregate argument.</summary>
    public override string ToString()
    {
        if (Segments.All(Syntax.Lexicon.IsPlainName) && !Syntax.Lexicon.IsReserved(Segments[0]) && Segments[0] != "properties")
        {
            return string.Join('.', Segments);
        }

        return "properties" + string.Concat(Segments.Select(s => Syntax.Lexicon.IsPlainName(s) ? "." + s : "[" + Syntax.Lexicon.Quote(s) + "]"));
    }
}
