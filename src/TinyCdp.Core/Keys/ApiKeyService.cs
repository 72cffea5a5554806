using System.Security.Cryptography;
using System.Text;
using TinyCdp.Storage;

namespace TinyCdp.Keys;

/// <summary>The store-backed <see cref="IApiKeyService"/> with an in-memory cache of hashes.</summary>
internal sealed class ApiKeyService(IApiKeyRecords records, TimeProvider time) : IApiKeyService
{
    private const string SecretPrefix = "tcdp_";
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile (byte[] Hash, ApiKeyInfo Info)[]? _cache;
    private long _cacheEpoch = -1;

    public async Task<CreatedApiKey> CreateAsync(ApiKeyKind kind, string? description = null, CancellationToken cancellationToken = default)
    {
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var info = await SaveAsync(secret, kind, description, cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(info, secret);
    }

    public async Task<ApiKeyInfo> ImportAsync(string secret, ApiKeyKind kind, string? description = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secret);
        if (secret.Length < 16)
        {
            throw new TinyCdpException(TinyCdpErrorCode.InvalidArgument, "An API key must be at least 16 characters.");
        }

        if (await FindAsync(secret, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        try
        {
            return await SaveAsync(secret, kind, description, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Another node sharing the store may have imported the same key at the same moment (both
            // start with the same TINYCDP_ADMIN_KEY): then its row stands; otherwise the failure does.
            if (await FoundAfterReloadAsync(secret, cancellationToken).ConfigureAwait(false) is { } imported)
            {
                return imported;
            }

            throw;
        }
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!await records.RevokeApiKeyAsync(id, Now(), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        return [.. (await records.GetApiKeysAsync(cancellationToken).ConfigureAwait(false)).Select(Info)];
    }

    public async ValueTask<ApiKeyInfo?> FindAsync(string secret, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        // Another node's create or revoke bumps the engine's key epoch: reload then.
        var cache = _cache is { } cached && Interlocked.Read(ref _cacheEpoch) == records.KeysEpoch
            ? cached
            : await ReloadAsync(cancellationToken).ConfigureAwait(false);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);

        // Every stored hash is compared in constant time, and all of them are compared: the time
        // taken says nothing about which key, or how much of one, matched.
        ApiKeyInfo? found = null;
        foreach (var (stored, info) in cache)
        {
            if (CryptographicOperations.FixedTimeEquals(stored, hash))
            {
                found = info;
            }
        }

        return found;
    }

    private async Task<ApiKeyInfo?> FoundAfterReloadAsync(string secret, CancellationToken cancellationToken)
    {
        try
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            return await FindAsync(secret, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Lower-case hex SHA-256 of a secret: the only form in which keys are stored.</summary>
    internal static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private async Task<ApiKeyInfo> SaveAsync(string secret, ApiKeyKind kind, string? description, CancellationToken cancellationToken)
    {
        var stored = new StoredApiKey("key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), HashOf(secret), kind, description, Now(), null);
        await records.CreateApiKeyAsync(stored, cancellationToken).ConfigureAwait(false);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return Info(stored);
    }

    private async Task<(byte[] Hash, ApiKeyInfo Info)[]> ReloadAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var epoch = records.KeysEpoch;
            var keys = await records.GetApiKeysAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _cacheEpoch, epoch);
            var cache = keys.Select(k => (Convert.FromHexString(k.Hash), Info(k))).ToArray();
            _cache = cache;
            return cache;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>Stores keep milliseconds: so does the key, so that what is returned equals what is read back.</summary>
    private DateTimeOffset Now() => Ingestion.EventTime.TruncateToMilliseconds(time.GetUtcNow());

    private static ApiKeyInfo Info(StoredApiKey key) => new(key.Id, key.Kind, key.Description, key.CreatedAt, key.RevokedAt);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
