using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using TinyCdp.Keys;

namespace TinyCdp.AspNetCore.Auth;

/// <summary>
/// The caller of a request authenticated by an API key: the claims <see cref="Tiers.TierClaim"/> and
/// <see cref="Tiers.KeyIdClaim"/>, and the same facts as properties, so that the tier check and the
/// rate limiter read them without searching the claims. One instance per key, shared by its requests
/// (nothing in the server changes a principal).
/// </summary>
internal sealed class ApiKeyPrincipal : ClaimsPrincipal
{
    private ApiKeyPrincipal(ApiKeyInfo key)
        : base(new ClaimsIdentity([new Claim(Tiers.TierClaim, key.Kind.ToString()), new Claim(Tiers.KeyIdClaim, key.Id)], ApiKeyAuthenticationHandler.SchemeName))
    {
        KeyId = key.Id;
        Tier = key.Kind;
    }

    /// <summary>The key's id (never its secret).</summary>
    public string KeyId { get; }

    /// <summary>The key's tier.</summary>
    public ApiKeyKind Tier { get; }

    /// <summary>
    /// The principals of the keys seen so far, by key id (a key's id and tier never change), with the
    /// authentication result of each: built once per key, shared by all of its requests. Nothing in
    /// the server changes a principal, a ticket or its (empty) properties.
    /// </summary>
    internal sealed class Cache
    {
        private readonly ConcurrentDictionary<string, Entry> _byKey = new(StringComparer.Ordinal);

        /// <summary>A successful authentication as this key, as a completed task.</summary>
        public Task<AuthenticateResult> ResultFor(ApiKeyInfo key) => EntryFor(key).Result;

        private Entry EntryFor(ApiKeyInfo key) =>
            _byKey.TryGetValue(key.Id, out var entry) && entry.Principal.Tier == key.Kind
                ? entry
                : _byKey[key.Id] = new Entry(new ApiKeyPrincipal(key));

        private sealed class Entry(ApiKeyPrincipal principal)
        {
            public ApiKeyPrincipal Principal { get; } = principal;

            public Task<AuthenticateResult> Result { get; } =
                Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyAuthenticationHandler.SchemeName)));
        }
    }
}
