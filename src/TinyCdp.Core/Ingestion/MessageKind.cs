namespace TinyCdp.Ingestion;

/// <summary>The kind of a stored message.</summary>
public enum MessageKind
{
    /// <summary>A track event (activity).</summary>
    Track,

    /// <summary>An identify (traits for the profile; not activity).</summary>
    Identify,

    /// <summary>An alias (merges identities; not activity).</summary>
    Alias,

    /// <summary>A page view, stored as the event <c>$page</c> (activity).</summary>
    Page,

    /// <summary>A screen view, stored as the event <c>$screen</c> (activity).</summary>
    Screen,

    /// <summary>A group call, stored as the event <c>$group</c> (not activity).</summary>
    Group,
}
