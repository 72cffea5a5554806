using Microsoft.Extensions.DependencyInjection;
using TinyCdp.DependencyInjection;
using TinyCdp.Keys;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Keys;

public sealed class ApiKeyServiceTests : IAsyncDisposable
{
    private readonly InMemoryCdpStore _store = new();
    private readonly ServiceProvider _services;
    private readonly IApiKeyService _keys;

    public ApiKeyServiceTests()
    {
        var services = new ServiceCollection();
        services.AddTinyCdp(b => b.UseStore(_ => _store).Configure(o => o.MembershipTimer = false));
        _services = services.BuildServiceProvider();
        _keys = _services.GetRequiredService<IApiKeyService>();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Fact]
    public async Task Create_ReturnsASecretOnceAndStoresOnlyItsHash()
    {
        var created = await _keys.CreateAsync(ApiKeyKind.Write, "web");

        Assert.StartsWith("tcdp_", created.Secret, StringComparison.Ordinal);
        Assert.Equal(48, created.Secret.Length); // the prefix and 256 bits in base64url
        var stored = Assert.Single(await _store.GetApiKeysAsync());
        Assert.Equal(ApiKeyService.HashOf(created.Secret), stored.Hash);
        Assert.DoesNotContain(created.Secret, stored.Hash, StringComparison.Ordinal);
        Assert.Equal((created.Info.Id, ApiKeyKind.Write, "web"), (stored.Id, stored.Kind, stored.Description));
    }

    [Fact]
    public async Task Find_KnownUnknownAndRevoked()
    {
        var created = await _keys.CreateAsync(ApiKeyKind.Read);

        Assert.Equal(created.Info, await _keys.FindAsync(created.Secret));
        Assert.Null(await _keys.FindAsync(created.Secret + "x"));
        Assert.Null(await _keys.FindAsync(""));

        Assert.True(await _keys.RevokeAsync(created.Info.Id));
        var revoked = await _keys.FindAsync(created.Secret);
        Assert.False(revoked!.Active);
        Assert.False(revoked.Allows(ApiKeyKind.Read));
        Assert.False(await _keys.RevokeAsync(created.Info.Id));
    }

    [Theory]
    [InlineData(ApiKeyKind.Read, ApiKeyKind.Read, true)]
    [InlineData(ApiKeyKind.Read, ApiKeyKind.Write, false)]
    [InlineData(ApiKeyKind.Write, ApiKeyKind.Read, true)]
    [InlineData(ApiKeyKind.Write, ApiKeyKind.Admin, false)]
    [InlineData(ApiKeyKind.Admin, ApiKeyKind.Write, true)]
    public async Task Allows_TiersIncludeTheLowerOnes(ApiKeyKind kind, ApiKeyKind required, bool expected)
    {
        var created = await _keys.CreateAsync(kind);

        Assert.Equal(expected, created.Info.Allows(required));
    }

    [Fact]
    public async Task Import_ConfiguredSecret_IsAcceptedOnceAndKeepsItsId()
    {
        var first = await _keys.ImportAsync("configured-admin-key-123", ApiKeyKind.Admin, "configuration");
        var again = await _keys.ImportAsync("configured-admin-key-123", ApiKeyKind.Admin, "configuration");

        Assert.Equal(first.Id, again.Id);
        Assert.Single(await _keys.ListAsync());
        Assert.Equal(first, await _keys.FindAsync("configured-admin-key-123"));
    }

    [Fact]
    public async Task Create_SecretsAreDistinct()
    {
        var secrets = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            Assert.True(secrets.Add((await _keys.CreateAsync(ApiKeyKind.Read)).Secret));
        }
    }
}
