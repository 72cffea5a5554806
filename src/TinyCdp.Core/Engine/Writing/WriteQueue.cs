using System.Threading.Channels;

namespace TinyCdp.Engine.Writing;

/// <summary>
/// The one queue every change goes through (ingest, definitions, deletions, re-evaluations), read by
/// the single writer. Anyone may queue; only the <see cref="WriteLoop"/> reads.
/// </summary>
internal sealed class WriteQueue
{
    private readonly Channel<WriteOperation> _channel = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<WriteOperation> Reader => _channel.Reader;

    /// <summary>Queues an operation; throws when the engine is stopping.</summary>
    public void Enqueue(WriteOperation operation)
    {
        if (!_channel.Writer.TryWrite(operation))
        {
            throw new TinyCdpException(TinyCdpErrorCode.StoreUnavailable, "TinyCdp is stopping.");
        }
    }

    /// <summary>No more operations are taken (the engine stops).</summary>
    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>Fails an operation the writer will never commit.</summary>
    public static void Abandon(WriteOperation operation, Exception failure)
    {
        switch (operation)
        {
            case IngestOperation ingest:
                ingest.Completion.TrySetException(failure);
                break;
            case DefinitionOperation definition:
                definition.Completion.TrySetException(failure);
                break;
            case DeleteOperation delete:
                delete.Completion.TrySetException(failure);
                break;
            case ReevaluateOperation reevaluate:
                reevaluate.Completion.TrySetException(failure);
                break;
            case ApiKeyOperation apiKey:
                apiKey.Completion.TrySetException(failure);
                break;
        }
    }
}
