using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Storage;

namespace TinyCdp.Storage.Specification;

/// <summary>
/// What every <see cref="ICdpStore"/> must do, as xUnit facts. A store's test project subclasses this
/// once (EF Core's specification-test pattern) and supplies fresh stores; durable stores subclass
/// <see cref="DurableStoreSpecification"/> instead, which adds the facts about reopening.
/// </summary>
/// <remarks>
/// Decisions the contract leaves open and this suite pins, so every store agrees:
/// instants are kept as UTC to the millisecond (sub-millisecond digits truncated toward the past,
/// offsets normalised to zero); unordered lists come back in a documented order (identifiers by kind
/// then value, memberships by segment, trait values by trait, definitions by kind then key, all
/// ordinal; merges oldest first then commit order; history by descending version then descending commit
/// order); ids are ordered like <see cref="Guid.CompareTo(Guid)"/> (the canonical text order);
/// the last sequence never goes down; change cursors are positive and strictly increasing across
/// commits (gaps allowed); a failing commit changes nothing.
/// </remarks>
public abstract partial class StoreSpecification : IAsyncLifetime
{
    /// <summary>An instant with milliseconds, so that millisecond round trips are checked everywhere.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, 123, TimeSpan.Zero);

    /// <summary>A fresh, migrated, empty store; the subclass disposes what it creates (see <see cref="DisposeAsync"/>).</summary>
    protected abstract Task<ICdpStore> CreateStoreAsync();

    /// <summary>Runs before each test.</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test: delete databases, files, schemas.</summary>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary><see cref="T0"/> plus some seconds, rounded to the millisecond (what every store keeps).</summary>
    protected static DateTimeOffset At(double seconds) =>
        T0.AddTicks((long)Math.Round(seconds * 1000) * TimeSpan.TicksPerMillisecond);

    /// <summary>A readable id whose order is <paramref name="n"/>'s order.</summary>
    protected static Guid ProfileId(int n) => Guid.Parse($"00000000-0000-0000-0000-{n:D12}");

    /// <summary>A user id identifier.</summary>
    protected static Identifier User(string value) => new(IdentifierKind.UserId, value);

    /// <summary>An anonymous id identifier.</summary>
    protected static Identifier Anonymous(string value) => new(IdentifierKind.AnonymousId, value);

    /// <summary>An email hash identifier.</summary>
    protected static Identifier Email(string hash) => new(IdentifierKind.EmailHash, hash);

    /// <summary>A live profile row.</summary>
    protected static StoredProfile Profile(Guid id, double createdAt = 0, long version = 1, Guid? mergedInto = null) =>
        new(id, At(createdAt), """{"plan":"pro","name":"Zoë"}""", """{"plan":"2026-03-01T12:00:00.123Z","name":"2026-03-01T12:00:00.123Z"}""", mergedInto, version);

    /// <summary>A track event at <see cref="T0"/> plus <paramref name="sequence"/> seconds, with message id <c>m-{sequence}</c> by default.</summary>
    protected static StoredEvent Event(long sequence, Guid profileId, string? messageId = null, string name = "purchase") =>
        new(sequence, messageId ?? $"m-{sequence}", profileId, MessageKind.Track, name, At(sequence), At(sequence + 0.5), null,
            $$"""{"amount":{{sequence}},"currency":"EUR"}""", null);

    /// <summary>A membership row.</summary>
    protected static StoredMembership Membership(Guid profileId, string segment, bool inSegment, double since = 0, double updatedAt = 1) =>
        new(profileId, segment, inSegment, At(since), At(updatedAt));

    /// <summary>A trait value row.</summary>
    protected static StoredTraitValue TraitValue(Guid profileId, string trait, string valueJson, double updatedAt = 0) =>
        new(profileId, trait, valueJson, At(updatedAt));

    /// <summary>A change-feed entry (cursor 0: not stored yet).</summary>
    protected static StoredChange Change(Guid profileId, string segment, bool entered, double at = 0, string? userId = null, ChangeCause cause = ChangeCause.Event) =>
        new(0, profileId, userId, segment, entered, At(at), cause);

    /// <summary>A definition row.</summary>
    protected static StoredDefinition Definition(DefinitionKind kind, string key, long version, string body = """{"expression":"true"}""", double createdAt = 0, double updatedAt = 0) =>
        new(kind, key, body, version, At(createdAt), At(updatedAt));

    /// <summary>Fills a transaction and commits it.</summary>
    protected static Task<IReadOnlyList<long>> CommitAsync(ICdpStore store, Action<StoreTransaction> fill)
    {
        var transaction = new StoreTransaction();
        fill(transaction);
        return store.CommitAsync(transaction);
    }
}
