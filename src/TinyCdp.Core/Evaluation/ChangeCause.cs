namespace TinyCdp.Evaluation;

/// <summary>Why a membership changed.</summary>
public enum ChangeCause
{
    /// <summary>A message arrived.</summary>
    Event,

    /// <summary>Time passed (a window or threshold moved).</summary>
    Time,

    /// <summary>A definition was saved or deleted.</summary>
    Definition,

    /// <summary>Profiles merged.</summary>
    Merge,

    /// <summary>The profile was deleted.</summary>
    Delete,
}
