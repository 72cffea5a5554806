using TinyCdp.Definitions;
using TinyCdp.Engine;
using TinyCdp.Evaluation;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp;

/// <summary>
/// The TinyCdp engine in-process: send what users do, define traits, segments and flags, and ask
/// for exact decisions. Thread-safe. Writes complete only after a durable commit; a read that
/// starts after a write completed sees it.
/// </summary>
public interface ITinyCdp
{
    /// <summary>Sends one message of any kind. An invalid message is rejected with <see cref="BatchResult.Error"/> and changes nothing.</summary>
    Task<BatchResult> SendAsync(CdpMessage message, CancellationToken cancellationToken = default);

    /// <summary>Sends a track message.</summary>
    Task<BatchResult> TrackAsync(string userId, string eventName, Value properties = default, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default);

    /// <summary>Sends an identify message.</summary>
    Task<BatchResult> IdentifyAsync(string userId, Value traits = default, DateTimeOffset? timestamp = null, CancellationToken cancellationToken = default);

    /// <summary>Sends an alias message: <paramref name="previousId"/> is the same person as <paramref name="userId"/>.</summary>
    Task<BatchResult> AliasAsync(string previousId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Sends messages all-or-nothing: if any is invalid, none is stored.</summary>
    Task<BatchResult> BatchAsync(IReadOnlyList<CdpMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Decides a flag for a person; null when the flag does not exist. An unknown person is an empty profile.</summary>
    ValueTask<Decision?> DecideAsync(string flag, ProfileReference user, IReadOnlyDictionary<string, Value>? context = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decides a flag synchronously and without allocating, when the person's profile is in memory
    /// and current (the hot path); false otherwise — then call <see cref="DecideAsync"/>, which also
    /// loads the profile. No reasons or validity are computed. The answer is the one
    /// <see cref="DecideAsync"/> would give.
    /// </summary>
    bool TryDecide(string flag, ProfileReference user, IReadOnlyDictionary<string, Value>? context, out QuickDecision decision);

    /// <summary>Decides several flags (all flags when <paramref name="flags"/> is null); unknown flags are left out.</summary>
    ValueTask<IReadOnlyDictionary<string, Decision>> DecideAllAsync(ProfileReference user, IReadOnlyCollection<string>? flags = null, IReadOnlyDictionary<string, Value>? context = null, CancellationToken cancellationToken = default);

    /// <summary>A trait's value for a person now (or as of <paramref name="asOf"/>); null value when the trait does not exist.</summary>
    ValueTask<Value> EvaluateTraitAsync(string trait, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default);

    /// <summary>Whether a person is in a segment now (or as of <paramref name="asOf"/>); false when the segment does not exist.</summary>
    ValueTask<bool> IsInSegmentAsync(string segment, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default);

    /// <summary>Why a trait, segment or flag has its value for a person; null when the definition does not exist.</summary>
    Task<Explanation?> ExplainAsync(DefinitionReferenceKind kind, string key, ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default);

    /// <summary>A person's profile with traits and segments evaluated now (or as of <paramref name="asOf"/>); null when unknown.</summary>
    Task<ProfileView?> GetProfileAsync(ProfileReference user, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Profiles whose user id or anonymous id starts with <paramref name="query"/> (an email address
    /// matches its hash exactly; a profile id matches itself), evaluated now, ascending by profile id.
    /// </summary>
    Task<IReadOnlyList<ProfileView>> SearchProfilesAsync(string query, int limit = 50, int offset = 0, CancellationToken cancellationToken = default);

    /// <summary>Deletes a person's profile and everything it owns; optionally refuses its identifiers from now on. False when unknown.</summary>
    Task<bool> DeleteProfileAsync(ProfileReference user, bool suppressIdentifiers = false, CancellationToken cancellationToken = default);

    /// <summary>Traits, segments and flags: save, delete, list, history, backfill.</summary>
    IDefinitionsService Definitions { get; }

    /// <summary>
    /// The members of a segment by their stored membership, streamed in profile-id order page by page
    /// (constant memory); nothing when the segment does not exist.
    /// </summary>
    IAsyncEnumerable<SegmentMember> ListSegmentMembersAsync(string segment, CancellationToken cancellationToken = default);

    /// <summary>
    /// The number of members of each segment of the catalog (0 for a segment nobody is in), from
    /// counts the store keeps as the change feed grows: no scan, the same on every node.
    /// </summary>
    Task<IReadOnlyDictionary<string, long>> GetSegmentSizesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A segment's size over time: one point per UTC hour in which someone entered or left, oldest
    /// first, each with the size at the end of that hour. Empty when the segment does not exist or
    /// nothing changed yet.
    /// </summary>
    Task<IReadOnlyList<SegmentSizePoint>> GetSegmentSizeHistoryAsync(string segment, CancellationToken cancellationToken = default);

    /// <summary>Membership changes after <paramref name="after"/>, oldest first.</summary>
    Task<IReadOnlyList<MembershipChange>> ReadChangesAsync(long after, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Membership changes after <paramref name="after"/>, then live ones as they are committed, until cancelled.</summary>
    IAsyncEnumerable<MembershipChange> WatchChangesAsync(long after, CancellationToken cancellationToken = default);
}
