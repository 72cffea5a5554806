using System.ComponentModel.DataAnnotations;

namespace TinyCdp.Engine;

/// <summary>How the engine behaves. Validated when the engine starts.</summary>
public sealed class TinyCdpOptions
{
    /// <summary>How long a message id is remembered to drop retries (default 7 days).</summary>
    public TimeSpan DedupeWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long events are kept; null (the default) keeps them forever. Definitions with longer windows are rejected.</summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>The time zone that decides calendar days for <c>unique_days</c> (default UTC).</summary>
    public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>The most messages one group commit takes (default 5,000).</summary>
    [Range(1, 1_000_000)]
    public int MaxMessagesPerCommit { get; set; } = 5_000;

    /// <summary>How many profiles are kept in memory (default 100,000); the least recently used are evicted.</summary>
    [Range(16, int.MaxValue)]
    public int ProfileCacheCapacity { get; set; } = 100_000;

    /// <summary>Profiles per backfill step (default 200).</summary>
    [Range(1, 100_000)]
    public int BackfillBatchSize { get; set; } = 200;

    /// <summary>Keep time-driven segment membership current with a timer (default true).</summary>
    public bool MembershipTimer { get; set; } = true;

    /// <summary>Checks the options; returns the problems found.</summary>
    public IEnumerable<string> Validate()
    {
        if (DedupeWindow <= TimeSpan.Zero)
        {
            yield return "DedupeWindow must be positive.";
        }

        if (Retention is { } retention && retention <= TimeSpan.Zero)
        {
            yield return "Retention must be positive when set.";
        }

        if (MaxMessagesPerCommit < 1)
        {
            yield return "MaxMessagesPerCommit must be at least 1.";
        }

        if (ProfileCacheCapacity < 16)
        {
            yield return "ProfileCacheCapacity must be at least 16.";
        }

        if (BackfillBatchSize < 1)
        {
            yield return "BackfillBatchSize must be at least 1.";
        }
    }
}
