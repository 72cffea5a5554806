namespace TinyCdp.Engine.Writing;

/// <summary>The commit a batch was computed on top of failed: the batch is computed again from the store.</summary>
internal sealed class PredecessorFailedException : Exception
{
    public PredecessorFailedException()
        : base("The commit this batch was computed on top of failed.")
    {
    }
}
