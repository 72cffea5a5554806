using TinyCdp.Language.Compilation;

namespace TinyCdp.Language;

/// <summary>
/// The compiled predicate of an event selector's <c>where(...)</c>. Two filters are equal when
/// their canonical texts are equal, so that definitions share aggregates.
/// </summary>
internal sealed class EventFilter : IEquatable<EventFilter>
{
    private readonly CompiledNode _predicate;

    internal EventFilter(string text, CompiledNode predicate, bool readsProfile)
    {
        Text = text;
        _predicate = predicate;
        ReadsProfile = readsProfile;
    }

    /// <summary>The canonical text of the predicate.</summary>
    public string Text { get; }

    /// <summary>
    /// True when the predicate reads <c>profile.*</c>: an engine must re-derive the aggregate
    /// when the profile's properties change.
    /// </summary>
    public bool ReadsProfile { get; }

    /// <summary>Whether an event with these properties matches, for a profile with these properties. Never throws.</summary>
    public bool Matches(Value eventProperties, Value profile) =>
        _predicate.Evaluate(new EventFilterContext(eventProperties, profile)).IsTrue;

    /// <inheritdoc />
    public bool Equals(EventFilter? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EventFilter);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <inheritdoc />
    public override string ToString() => Text;
}
