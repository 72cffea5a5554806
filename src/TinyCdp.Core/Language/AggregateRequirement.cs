namespace TinyCdp.Language;

/// <summary>
/// One aggregate that some expression needs an engine to maintain per profile: over the events
/// named <see cref="EventName"/> (or every activity event — track, page, screen — when null),
/// narrowed by <see cref="Filter"/>, compute <see cref="Kind"/> of <see cref="Property"/> over
/// <see cref="Window"/>. Equal requirements are shared between definitions.
/// </summary>
/// <param name="EventName">The event name, or null for all activity events.</param>
/// <param name="Filter">The <c>where(...)</c> predicate, if any.</param>
/// <param name="Kind">What to compute.</param>
/// <param name="Property">The event property, for sum, avg, min, max, distinct, first and last.</param>
/// <param name="Window">The window, for count, unique_days, sum, avg, min, max and distinct; <see cref="Window.All"/> otherwise.</param>
internal sealed record AggregateRequirement(string? EventName, EventFilter? Filter, AggregateKind Kind, PropertyPath? Property, Window Window)
{
    /// <summary>The canonical text, e.g. <c>events.purchase.where(amount &gt; 5).sum(amount, 30d)</c>.</summary>
    public override string ToString()
    {
        var selector = EventName is null ? "events.*" : Syntax.Lexicon.IsPlainName(EventName) && !Syntax.Lexicon.IsReserved(EventName)
            ? "events." + EventName
            : "events[" + Syntax.Lexicon.Quote(EventName) + "]";
        if (Filter is not null)
        {
            selector += ".where(" + Filter.Text + ")";
        }

        var member = Kind switch
        {
            AggregateKind.Count => $"count({Window})",
            AggregateKind.UniqueDays => $"unique_days({Window})",
            AggregateKind.Sum => $"sum({Property}, {Window})",
            AggregateKind.Avg => $"avg({Property}, {Window})",
            AggregateKind.Min => $"min({Property}, {Window})",
            AggregateKind.Max => $"max({Property}, {Window})",
            AggregateKind.Distinct => $"distinct({Property}, {Window})",
            AggregateKind.First => $"first({Property})",
            AggregateKind.Last => $"last({Property})",
            AggregateKind.FirstSeen => "first_seen",
            _ => "last_seen",
        };
        return selector + "." + member;
    }
}
