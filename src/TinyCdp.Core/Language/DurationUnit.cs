namespace TinyCdp.Language;

/// <summary>The unit of a duration literal.</summary>
internal enum DurationUnit
{
    /// <summary><c>m</c>.</summary>
    Minutes,

    /// <summary><c>h</c>.</summary>
    Hours,

    /// <summary><c>d</c>.</summary>
    Days,

    /// <summary><c>w</c>.</summary>
    Weeks,
}
