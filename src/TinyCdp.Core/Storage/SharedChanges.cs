namespace TinyCdp.Storage;

/// <summary>What other processes committed to a shared store after a given log version.</summary>
/// <param name="Version">The newest log version (including this process's own commits): the caller's next <c>seenVersion</c>.</param>
/// <param name="LastSequence">The highest event sequence stored, so new events continue after it.</param>
/// <param name="Complete">False when the log no longer reaches back to the version asked for: every cached profile must be dropped.</param>
/// <param name="CatalogChanged">Another process changed the definitions.</param>
/// <param name="KeysChanged">Another process created or revoked API keys.</param>
/// <param name="Profiles">Profiles another process wrote (created, changed, merged, absorbed or deleted).</param>
public sealed record SharedChanges(long Version, long LastSequence, bool Complete, bool CatalogChanged, bool KeysChanged, IReadOnlyList<Guid> Profiles)
{
    /// <summary>True when there is nothing to catch up on.</summary>
    public bool IsEmpty => Complete && !CatalogChanged && !KeysChanged && Profiles.Count == 0;
}
