namespace LstmSweep.Core.Trials;

// How a sweep searches and judges its trials: words the spec, the samplers, the schedulers and the documents share.

/// <summary>
/// What to try (Optuna's sampler, Ray Tune's searcher). <see cref="Asha"/> is shorthand for random sampling with the
/// ASHA scheduler; every other strategy runs under <see cref="SweepSpec.Scheduler"/>.
/// </summary>
public enum SearchStrategy { Grid, Random, Tpe, Asha }

/// <summary>When to stop a running trial (Optuna's pruner, Ray Tune's scheduler).</summary>
public enum SchedulerKind
{
    /// <summary>Never stops a trial early: each trains all its epochs.</summary>
    Fifo,
    /// <summary>Asynchronous successive halving (<see cref="SweepSpec.Asha"/> holds its settings).</summary>
    Asha,
}

/// <summary>What the sweep optimises: accuracy is maximised, loss minimised.</summary>
public enum Objective { Accuracy, Loss }
