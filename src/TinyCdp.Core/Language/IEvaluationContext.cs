namespace TinyCdp.Language;

/// <summary>
/// What a compiled expression reads while it evaluates: a profile's aggregates by pre-resolved
/// slot, its properties, trait and segment values by slot, the request context and the instant
/// of evaluation. Implementations must not throw; a missing value is <see cref="Value.Null"/>.
/// </summary>
internal interface IEvaluationContext
{
    /// <summary>The instant of evaluation.</summary>
    DateTimeOffset Now { get; }

    /// <summary>The profile's properties (an object value, or null for an empty profile).</summary>
    Value Profile { get; }

    /// <summary>The properties of the event being filtered, inside <c>where(...)</c>; null elsewhere.</summary>
    Value EventProperties { get; }

    /// <summary>The value of the aggregate in slot <paramref name="slot"/> of the <see cref="AggregateRegistry"/>.</summary>
    Value GetAggregate(int slot);

    /// <summary>How many events the aggregate in <paramref name="slot"/> counted at <see cref="Now"/> (for explanations).</summary>
    long GetAggregateEventCount(int slot);

    /// <summary>The value of the trait in slot <paramref name="slot"/> of the symbol environment.</summary>
    Value GetTrait(int slot);

    /// <summary>Whether the profile is in the segment in slot <paramref name="slot"/> of the symbol environment.</summary>
    bool GetSegment(int slot);

    /// <summary>A request context attribute (<c>context.name</c>); null when absent.</summary>
    Value GetContext(string name);

    /// <summary>
    /// The earliest instant after <see cref="Now"/> at which the trait in <paramref name="slot"/>
    /// could change with no new message; null when it cannot (or when the context does not say).
    /// </summary>
    DateTimeOffset? GetTraitNextChange(int slot) => null;

    /// <summary>As <see cref="GetTraitNextChange"/>, for the segment in <paramref name="slot"/>.</summary>
    DateTimeOffset? GetSegmentNextChange(int slot) => null;
}
