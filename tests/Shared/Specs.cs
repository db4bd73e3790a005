namespace LstmSweep.Tests.Shared;

/// <summary>
/// Small specs that train for real in a second or two, shared by the test projects that run the CLI. They evaluate
/// after every epoch (eval_every: 1): the tests read per-epoch reports, spans and plots.
/// </summary>
static class Specs
{
    public static string Counter(string name = "counter", int epochs = 60) => $$"""
        name: {{name}}
        task: stateful-counter
        strategy: grid
        seed: 3
        eval_every: 1
        space:
          units: [4, 8]
          stateful: [true, false]
          epochs: [{{epochs}}]
          learning_rate: [0.05]
          batch_size: [1]
        """;

    /// <summary>Six cumsum trials of a few seconds each, for killing a run part-way.</summary>
    public static string SlowCumsum(string name = "slow", int epochs = 400) => $$"""
        name: {{name}}
        task: cumsum
        strategy: grid
        seed: 11
        checkpoint_every: 5
        eval_every: 1
        space:
          units: [6, 8, 10]
          merge_mode: [none, sum]
          epochs: [{{epochs}}]
          learning_rate: [0.01]
          batch_size: [1]
        """;
}
