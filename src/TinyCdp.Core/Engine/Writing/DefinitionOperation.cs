using TinyCdp.Definitions;

namespace TinyCdp.Engine.Writing;

/// <summary>A definition change, compiled against the catalog at the time the writer takes it.</summary>
internal sealed class DefinitionOperation(DefinitionKind kind, string key, string? bodyJson, SaveMode mode, string? actor) : WriteOperation
{
    public DefinitionKind Kind { get; } = kind;

    public string Key { get; } = key;

    /// <summary>The new body; null to delete.</summary>
    public string? BodyJson { get; } = bodyJson;

    public SaveMode Mode { get; } = mode;

    public string? Actor { get; } = actor;

    public TaskCompletionSource<DefinitionResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
