using TinyCdp.Keys;

namespace TinyCdp.Server.Hosting;

/// <summary>
/// At start: accepts <c>TINYCDP_ADMIN_KEY</c> as an admin key when it is set; otherwise, when no key
/// exists at all, creates an admin key and prints it once on standard output (never to the logs).
/// </summary>
internal sealed class AdminKeyBootstrap(IApiKeyService keys, ServerConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.AdminKey is { } configured)
        {
            await keys.ImportAsync(configured, ApiKeyKind.Admin, "TINYCDP_ADMIN_KEY", cancellationToken).ConfigureAwait(false);
            return;
        }

        if ((await keys.ListAsync(cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            var created = await keys.CreateAsync(ApiKeyKind.Admin, "generated at first start", cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"TinyCdp: no API key existed, so an admin key was created. It is shown only now:{Environment.NewLine}  {created.Secret}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
