using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Language;

namespace TinyCdp.Testing.Differential;

/// <summary>An identifier as the oracle keys it (emails by their normalized text instead of the hash: same equality).</summary>
public readonly record struct OracleId(IdentifierKind Kind, string Value)
{
    public override string ToString() => $"{Kind}:{Value}";
}

/// <summary>One accepted message as the oracle keeps it.</summary>
/// <param name="Seq">Arrival order (1, 2, …).</param>
/// <param name="Kind">The message kind.</param>
/// <param name="Name">The event name (<c>$page</c>, <c>$screen</c>, <c>$group</c>, <c>$identify</c>, <c>$alias</c> for the others).</param>
/// <param name="Time">The event time.</param>
/// <param name="Properties">The event properties (an object).</param>
/// <param name="Traits">Identify traits (an object or null).</param>
public sealed record OracleEvent(long Seq, MessageKind Kind, string Name, DateTimeOffset Time, Value Properties, Value Traits)
{
    public bool IsAggregated => Kind is MessageKind.Track or MessageKind.Page or MessageKind.Screen or MessageKind.Group;

    public bool IsActivity => Kind is MessageKind.Track or MessageKind.Page or MessageKind.Screen;
}

/// <summary>A profile: identifiers and the messages attached to it, in arrival order.</summary>
public sealed class OracleProfile(int index, DateTimeOffset createdAt)
{
    /// <summary>Creation order: lower is older.</summary>
    public int Index { get; } = index;

    /// <summary>The receive time (milliseconds) of the message that created it.</summary>
    public DateTimeOffset CreatedAt { get; } = createdAt;

    public HashSet<OracleId> Identifiers { get; } = [];

    public List<OracleEvent> Events { get; } = [];

    public OracleProfile? MergedInto { get; set; }

    public string? UserId => Identifiers.Where(i => i.Kind == IdentifierKind.UserId).Select(i => i.Value).SingleOrDefault();

    public override string ToString() => $"#{Index}{{{string.Join(", ", Identifiers.OrderBy(i => i.Kind).ThenBy(i => i.Value, StringComparer.Ordinal))}}}";
}

/// <summary>What the oracle expects for one message of a send.</summary>
/// <param name="Duplicate">Acknowledged and ignored.</param>
/// <param name="Profile">The profile it was attached to (the survivor when it merged).</param>
/// <param name="Created">The profile is new.</param>
/// <param name="Absorbed">Profiles merged into <paramref name="Profile"/> by this message.</param>
/// <param name="Time">The event time.</param>
public sealed record OracleItem(bool Duplicate, OracleProfile? Profile, bool Created, IReadOnlyList<OracleProfile> Absorbed, DateTimeOffset? Time);

/// <summary>What the oracle expects for one send (single message or batch).</summary>
public sealed record OracleOutcome(bool Accepted, IReadOnlyList<OracleItem> Items);

/// <summary>
/// The naive oracle of SEMANTICS.md §1–2: replays accepted messages in arrival order with plain
/// lists and loops. It uses none of the engine's classes beyond plain data (<see cref="Value"/>,
/// <see cref="CdpMessage"/>, <see cref="MessageKind"/>, <see cref="IdentifierKind"/>): event time,
/// placeholder identifiers, email normalization, dedupe and identity resolution are reimplemented.
/// </summary>
public sealed class NaiveOracle
{
    public static readonly TimeSpan MaxFuture = TimeSpan.FromMinutes(5);

    // SEMANTICS.md §2: values such as these are ignored as identifiers.
    private static readonly string[] Placeholders = ["", "null", "undefined", "0", "anonymous"];

    private readonly List<OracleProfile> _profiles = [];
    private readonly Dictionary<OracleId, OracleProfile> _owners = [];
    private readonly Dictionary<string, DateTimeOffset> _acceptedMessageIds = new(StringComparer.Ordinal);
    private readonly TimeSpan _dedupeWindow;

    /// <summary>An oracle with a dedupe window (SEMANTICS.md §1: 7 days by default).</summary>
    public NaiveOracle(TimeSpan? dedupeWindow = null) => _dedupeWindow = dedupeWindow ?? TimeSpan.FromDays(7);

    /// <summary>Messages whose id was accepted longer than the dedupe window ago: the engine's choice was followed.</summary>
    public int AmbiguousDuplicates { get; private set; }
    private long _sequence;

    /// <summary>Identifiers left out by the one-user-id guard so far.</summary>
    public int Dropped { get; private set; }

    /// <summary>Every profile ever created (absorbed ones carry <see cref="OracleProfile.MergedInto"/>).</summary>
    public IReadOnlyList<OracleProfile> Profiles => _profiles;

    /// <summary>The live profiles.</summary>
    public IEnumerable<OracleProfile> LiveProfiles => _profiles.Where(p => p.MergedInto is null);

    /// <summary>Every accepted message of every profile, in arrival order.</summary>
    public IEnumerable<OracleEvent> AllEvents => LiveProfiles.SelectMany(p => p.Events).OrderBy(e => e.Seq);

    public static bool IsUsable(string? value) =>
        value is not null && !string.IsNullOrWhiteSpace(value) && !Placeholders.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Milliseconds, toward the past.</summary>
    public static DateTimeOffset Milliseconds(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>
    /// SEMANTICS.md §1 event time: the timestamp (else the receive time), minus the device skew
    /// <c>receivedAt − sentAt</c> when sentAt is given, clamped to the receive time when more than
    /// 5 minutes ahead; every instant in whole milliseconds (inputs truncated first, as
    /// <c>EventTime</c> documents).
    /// </summary>
    public static DateTimeOffset EventTimeOf(DateTimeOffset? timestamp, DateTimeOffset? sentAt, DateTimeOffset receivedAt)
    {
        var received = Milliseconds(receivedAt);
        if (timestamp is null)
        {
            return received;
        }

        var time = Milliseconds(timestamp.Value);
        if (sentAt is not null)
        {
            time += received - Milliseconds(sentAt.Value);
        }

        return time - received > MaxFuture ? received : time;
    }

    /// <summary>Whether the engine must accept the message (identifiers only: the generators never break other limits).</summary>
    public static bool IsValid(CdpMessage message) => message.Kind == MessageKind.Alias
        ? IsUsable(message.PreviousId) && IsUsable(message.UserId)
        : OwnIdentifiers(message).Count > 0;

    /// <summary>The identifiers a message carries, highest priority first: user id, email, anonymous id (SEMANTICS.md §2 drops anonymous id, then email).</summary>
    public static List<OracleId> OwnIdentifiers(CdpMessage message)
    {
        var identifiers = new List<OracleId>();
        if (IsUsable(message.UserId))
        {
            identifiers.Add(new OracleId(IdentifierKind.UserId, message.UserId!));
        }

        if (message.Kind == MessageKind.Alias)
        {
            return identifiers;
        }

        if (message.Kind == MessageKind.Identify && message.Traits.Member("email").TryGetString(out var email) && IsUsable(email))
        {
            identifiers.Add(new OracleId(IdentifierKind.EmailHash, NormalizeEmail(email)));
        }

        if (IsUsable(message.AnonymousId))
        {
            identifiers.Add(new OracleId(IdentifierKind.AnonymousId, message.AnonymousId!));
        }

        return identifiers;
    }

    /// <summary>The live profile owning an identifier, or null.</summary>
    public OracleProfile? Resolve(IdentifierKind kind, string value)
    {
        var id = kind == IdentifierKind.EmailHash ? new OracleId(kind, NormalizeEmail(value)) : new OracleId(kind, value);
        return _owners.TryGetValue(id, out var owner) ? Follow(owner) : null;
    }

    /// <summary>
    /// Receives one send (one message, or an all-or-nothing batch) at <paramref name="receivedAt"/>.
    /// A message id accepted less than the dedupe window ago is a duplicate; one accepted longer
    /// ago may or may not still be remembered (the spec only requires exact dedupe within the
    /// window), so there <paramref name="engineSaysDuplicate"/> (by index in the send) decides.
    /// </summary>
    public OracleOutcome Receive(IReadOnlyList<CdpMessage> messages, DateTimeOffset receivedAt, Func<int, bool>? engineSaysDuplicate = null)
    {
        if (messages.Any(m => !IsValid(m)))
        {
            return new OracleOutcome(false, []);
        }

        var items = new List<OracleItem>();
        for (var i = 0; i < messages.Count; i++)
        {
            var index = i;
            items.Add(Apply(messages[i], receivedAt, () => engineSaysDuplicate?.Invoke(index) ?? true));
        }

        return new OracleOutcome(true, items);
    }

    private OracleItem Apply(CdpMessage message, DateTimeOffset receivedAt, Func<bool> engineSaysDuplicate)
    {
        if (message.MessageId is { } messageId)
        {
            if (_acceptedMessageIds.TryGetValue(messageId, out var accepted))
            {
                var duplicate = receivedAt - accepted < _dedupeWindow;
                if (!duplicate)
                {
                    AmbiguousDuplicates++;
                    duplicate = engineSaysDuplicate();
                }

                if (duplicate)
                {
                    return new OracleItem(true, null, false, [], null);
                }
            }

            _acceptedMessageIds[messageId] = receivedAt;
        }

        // Candidates, highest priority first; the message's own user id is never dropped.
        var candidates = OwnIdentifiers(message);
        var ownUserId = candidates.FirstOrDefault(c => c.Kind == IdentifierKind.UserId);
        if (message.Kind == MessageKind.Alias)
        {
            // previousId: looked up as a user id and as an anonymous id; attached as an anonymous id when neither is owned.
            var asUser = new OracleId(IdentifierKind.UserId, message.PreviousId!);
            var asAnonymous = new OracleId(IdentifierKind.AnonymousId, message.PreviousId!);
            var owned = new[] { asUser, asAnonymous }.Where(_owners.ContainsKey).ToList();
            candidates.AddRange(owned.Count > 0 ? owned : [asAnonymous]);
        }

        candidates = candidates.Distinct().ToList();
        List<OracleProfile> owners;
        while (true)
        {
            owners = candidates.Where(_owners.ContainsKey).Select(c => Follow(_owners[c])).Distinct().ToList();
            var userIds = candidates.Where(c => c.Kind == IdentifierKind.UserId).Select(c => c.Value)
                .Concat(owners.Select(o => o.UserId).OfType<string>())
                .ToHashSet(StringComparer.Ordinal);
            if (userIds.Count <= 1)
            {
                break;
            }

            var drop = candidates.FindLastIndex(c => !c.Equals(ownUserId));
            if (drop < 0)
            {
                throw new InvalidOperationException("oracle: a user id conflict without a droppable identifier");
            }

            candidates.RemoveAt(drop);
            Dropped++;
        }

        OracleProfile profile;
        var created = owners.Count == 0;
        var absorbed = new List<OracleProfile>();
        if (created)
        {
            profile = new OracleProfile(_profiles.Count, Milliseconds(receivedAt));
            _profiles.Add(profile);
        }
        else
        {
            profile = owners.OrderBy(o => o.Index).First();
            foreach (var other in owners.Where(o => o != profile).OrderBy(o => o.Index))
            {
                profile.Identifiers.UnionWith(other.Identifiers);
                foreach (var identifier in other.Identifiers)
                {
                    _owners[identifier] = profile;
                }

                profile.Events.AddRange(other.Events);
                other.MergedInto = profile;
                absorbed.Add(other);
            }

            profile.Events.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        }

        foreach (var candidate in candidates)
        {
            profile.Identifiers.Add(candidate);
            _owners[candidate] = profile;
        }

        if (profile.Identifiers.Count(i => i.Kind == IdentifierKind.UserId) > 1)
        {
            throw new InvalidOperationException($"oracle: two user ids on {profile}");
        }

        var time = EventTimeOf(message.Timestamp, message.SentAt, receivedAt);
        profile.Events.Add(new OracleEvent(++_sequence, message.Kind, NameOf(message), time, PropertiesOf(message),
            message.Kind == MessageKind.Identify ? message.Traits : Value.Null));
        return new OracleItem(false, profile, created, absorbed, time);
    }

    private static OracleProfile Follow(OracleProfile profile)
    {
        while (profile.MergedInto is { } survivor)
        {
            profile = survivor;
        }

        return profile;
    }

    private static string NameOf(CdpMessage message) => message.Kind switch
    {
        MessageKind.Track => message.Event!,
        MessageKind.Page => "$page",
        MessageKind.Screen => "$screen",
        MessageKind.Group => "$group",
        MessageKind.Alias => "$alias",
        _ => "$identify",
    };

    // Page and screen names go into the properties (SEMANTICS.md §1) unless the sender set them.
    private static Value PropertiesOf(CdpMessage message)
    {
        var properties = message.Properties.Properties is { } bag
            ? new Dictionary<string, Value>(bag, StringComparer.Ordinal)
            : new Dictionary<string, Value>(StringComparer.Ordinal);
        if (message.Kind is MessageKind.Page or MessageKind.Screen && message.Event is not null)
        {
            properties.TryAdd("name", Value.String(message.Event));
        }

        if (message.Kind == MessageKind.Page && message.Category is not null)
        {
            properties.TryAdd("category", Value.String(message.Category));
        }

        return Value.Object(properties);
    }
}
