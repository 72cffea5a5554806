using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace TinyCdp.Server.Tests.Logging;

/// <summary>
/// Every log entry one test server writes, at every level from Trace, with its structured state, its
/// scopes and its exception, scanned for secrets as it is written (so nothing depends on which test
/// runs last): each <see cref="ServerFactoryBase"/> calls <see cref="ThrowIfSecretsLogged"/> when it is
/// disposed, which fails the test or the class that used it.
/// </summary>
public sealed class LogCapture
{
    // Enough to inspect a workload; scanning continues past it.
    private const int MaxKeptEntries = 200_000;

    private readonly ConcurrentQueue<string> _entries = new();
    private readonly ConcurrentQueue<string> _findings = new();
    private int _count;

    /// <summary>The entries kept, as text: level, category, event id, message, state, scopes, exception.</summary>
    public IReadOnlyCollection<string> Entries => _entries;

    /// <summary>How many entries were written (kept or not).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>What this server logged that it should not have, one line per finding.</summary>
    public IReadOnlyCollection<string> Findings => _findings;

    public ILoggerProvider CreateProvider() => new Provider(this);

    /// <summary>The entries kept after the first <paramref name="count"/> (to show what a request logged).</summary>
    public IEnumerable<string> Since(int count) => _entries.Skip(count);

    /// <summary>Fails loudly (with the category and level of each leak, not the secret) when anything was found.</summary>
    public void ThrowIfSecretsLogged(string owner)
    {
        if (!_findings.IsEmpty)
        {
            throw new InvalidOperationException(
                $"{owner} logged secrets or personal data ({_findings.Count} findings):{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", _findings.Take(20)));
        }
    }

    private void Record(string category, LogLevel level, string text)
    {
        if (Interlocked.Increment(ref _count) <= MaxKeptEntries)
        {
            _entries.Enqueue(text);
        }

        foreach (var finding in SecretScanner.Find(text))
        {
            var masked = SecretScanner.Mask(text);
            var line = $"{level} {category}: {finding} in: {(masked.Length > 600 ? masked[..600] + "…" : masked)}";
            _findings.Enqueue(line);
        }
    }

    /// <summary>The capture's provider type, for provider-specific filter rules.</summary>
    internal sealed class Provider(LogCapture capture) : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ILogger CreateLogger(string categoryName) => new Logger(capture, categoryName, () => _scopes);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }
    }

    private sealed class Logger(LogCapture capture, string category, Func<IExternalScopeProvider> scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => scopes().Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder()
                .Append(logLevel).Append(' ').Append(category).Append('[').Append(eventId.Id).Append("]: ")
                .Append(formatter(state, exception));
            AppendState(text, " {", state);
            scopes().ForEachScope(static (scope, builder) =>
            {
                builder.Append(" => ").Append(scope);
                AppendState(builder, " {", scope);
            }, text);
            if (exception is not null)
            {
                text.Append(Environment.NewLine).Append(exception);
            }

            capture.Record(category, logLevel, text.ToString());
        }

        private static void AppendState(StringBuilder text, string open, object? state)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                text.Append(open).AppendJoin("; ", pairs.Select(p => $"{p.Key}={p.Value}")).Append('}');
            }
        }
    }
}
