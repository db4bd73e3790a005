using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;
using LstmSweep.Core.Sweeps;

namespace LstmSweep.Core.Tests;

/// <summary>The spec keys of smarter search: scheduler, asha, n_startup_trials, and strategies tpe and asha.</summary>
public class SchedulerSpecTests
{
    const string Head = "name: s\ntask: cumsum\n";
    const string Asha = Head + "strategy: asha\nmax_trials: 8\n";

    static SweepSpec Parse(string yaml)
    {
        var result = SpecParser.Parse(Head + yaml);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Spec!;
    }

    [Theory]
    [InlineData(Head + "strategy: bayes\n", "strategy", "unknown strategy 'bayes'; allowed: grid, random, tpe, asha")]
    [InlineData(Head + "strategy: tpe\n", "max_trials", "required for strategy: tpe; say how many trials to sample")]
    [InlineData(Head + "strategy: asha\nasha: {max_epochs: 9}\n", "max_trials", "required for strategy: asha")]
    [InlineData(Head + "strategy: tpe\nmax_trials: 5\ntruncate: true\n", "truncate", "applies to strategy: grid only")]
    [InlineData(Head + "scheduler: hyperband\n", "scheduler", "unknown scheduler 'hyperband'; allowed: fifo, asha")]
    [InlineData(Asha + "scheduler: fifo\nasha: {max_epochs: 9}\n", "scheduler",
        "strategy: asha is random sampling with scheduler: asha, so scheduler: fifo contradicts it")]
    [InlineData(Asha, "asha", "required for strategy: asha; give at least max_epochs, e.g. asha: {min_epochs: 5")]
    [InlineData(Head + "strategy: random\nmax_trials: 8\nscheduler: asha\n", "asha", "required for scheduler: asha")]
    [InlineData(Head + "strategy: random\nmax_trials: 8\nasha: {max_epochs: 9}\n", "asha",
        "applies to scheduler: asha only; add scheduler: asha (or use strategy: asha), or remove it")]
    [InlineData(Asha + "asha: 5\n", "asha", "expected a mapping of asha settings, got '5'")]
    [InlineData(Asha + "asha: {max_epochs: 9, grace_period: 1}\n", "asha.grace_period",
        "unknown asha key 'grace_period'; allowed: min_epochs, max_epochs, reduction_factor, brackets, pause")]
    [InlineData(Asha + "asha: {min_epochs: 3}\n", "asha.max_epochs", "missing; the epochs a trial trains unless a rung stops it")]
    [InlineData(Asha + "asha: {max_epochs: 9, min_epochs: 0}\n", "asha.min_epochs", "expected an integer from 1 to 100000 (the limit max_epochs), got '0'")]
    [InlineData(Asha + "asha: {max_epochs: 0}\n", "asha.max_epochs", "expected an integer from 1 to 100000 (the limit max_epochs), got '0'")]
    [InlineData(Asha + "asha: {max_epochs: \"9\"}\n", "asha.max_epochs", "expected an integer from 1 to 100000 (the limit max_epochs), got the string \"9\"")]
    [InlineData(Asha + "asha: {max_epochs: 9, reduction_factor: 1}\n", "asha.reduction_factor", "expected an integer >= 2, got '1'")]
    [InlineData(Asha + "asha: {max_epochs: 9, brackets: 0}\n", "asha.brackets", "expected a positive integer, got '0'")]
    [InlineData(Asha + "asha: {max_epochs: 9, pause: maybe}\n", "asha.pause", "expected true or false, got 'maybe'")]
    [InlineData(Asha + "asha: {min_epochs: 10, max_epochs: 5}\n", "asha.max_epochs", "max_epochs 5 is less than min_epochs 10")]
    [InlineData(Asha + "asha: {min_epochs: 5, max_epochs: 243, brackets: 5}\n", "asha.brackets",
        "bracket 4 would start at 405 epochs, past max_epochs 243; use at most 4 brackets, or raise max_epochs")]
    [InlineData(Asha + "asha: {max_epochs: 9}\nspace: {epochs: [5, 10]}\n", "space.epochs",
        "not a hyperparameter with the asha scheduler: the epochs are its resource; remove space.epochs and set asha.max_epochs")]
    [InlineData(Head + "strategy: tpe\nmax_trials: 8\nscheduler: asha\nasha: {max_epochs: 9}\nspace: {epochs: {min: 1, max: 9}}\n",
        "space.epochs", "remove space.epochs")]
    [InlineData(Head + "strategy: tpe\nmax_trials: 8\nn_startup_trials: 0\n", "n_startup_trials", "expected an integer from 1 to 100000 (the limit max_planned_trials), got '0'")]
    [InlineData(Head + "strategy: random\nmax_trials: 8\nn_startup_trials: 5\n", "n_startup_trials",
        "applies to strategy: tpe only, not random; remove it")]
    [InlineData(Head + "n_startup_trials: 5\n", "n_startup_trials", "applies to strategy: tpe only, not grid")]
    public void Reports_the_problem_at_its_path(string spec, string path, string messageFragment)
        => SpecAssert.RejectedWithOneError(spec, path, messageFragment);

    [Fact]
    public void EveryAshaProblemIsReportedInOnePass()
    {
        var result = SpecParser.Parse(Asha + "asha: {min_epochs: 0, reduction_factor: 1, brackets: x}\n");

        Assert.Equal(["asha.min_epochs", "asha.reduction_factor", "asha.brackets", "asha.max_epochs"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void APlainSpecGetsFifoNoAshaAndTenStartupTrials()
    {
        var spec = Parse("");

        Assert.Equal(SchedulerKind.Fifo, spec.Scheduler);
        Assert.Null(spec.Asha);
        Assert.Equal(10, spec.NStartupTrials);
        Assert.IsType<FifoScheduler>(TrialSchedulers.For(spec));
    }

    [Fact]
    public void StrategyAshaIsRandomSamplingWithTheAshaScheduler()
    {
        var spec = Parse("strategy: asha\nmax_trials: 20\nobjective: loss\n" +
                         "asha: {min_epochs: 5, max_epochs: 243, reduction_factor: 3, brackets: 2, pause: true}\n" +
                         "space: {units: {min: 8, max: 64}}\n");

        Assert.Equal(SearchStrategy.Asha, spec.Strategy);
        Assert.Equal(SchedulerKind.Asha, spec.Scheduler);
        Assert.Equal(new AshaSettings(5, 243, 3, 2, PauseAtRungs: true), spec.Asha);
        Assert.Equal([243], spec.Space.Get(Hyperparameters.Epochs).Values);
        var scheduler = Assert.IsType<AshaScheduler>(TrialSchedulers.For(spec));
        Assert.Equal(spec.Asha, scheduler.Settings);
        Assert.IsType<RandomSampler>(Samplers.For(spec));
    }

    [Fact]
    public void TheAshaBlockFillsInItsDefaults()
    {
        var spec = Parse("strategy: asha\nmax_trials: 20\nasha: {max_epochs: 81}\n");

        Assert.Equal(new AshaSettings(MinEpochs: 1, MaxEpochs: 81, ReductionFactor: 3, Brackets: 1, PauseAtRungs: false), spec.Asha);
    }

    [Fact]
    public void TpeRunsUnderTheAshaSchedulerWhenAsked()
    {
        var spec = Parse("strategy: tpe\nmax_trials: 50\nn_startup_trials: 5\nscheduler: asha\n" +
                         "asha: {min_epochs: 1, max_epochs: 27, brackets: 4}\nspace: {learning_rate: {min: 0.001, max: 0.1, log: true}}\n");

        Assert.Equal(SearchStrategy.Tpe, spec.Strategy);
        Assert.Equal(SchedulerKind.Asha, spec.Scheduler);
        Assert.Equal(5, spec.NStartupTrials);
        Assert.Equal(new AshaSettings(1, 27, 3, 4), spec.Asha);
        Assert.IsType<TpeSampler>(Samplers.For(spec));
        Assert.IsType<AshaScheduler>(TrialSchedulers.For(spec));
    }

    [Fact]
    public void AGridCanRunUnderAshaWithEpochsAsTheResource()
    {
        var spec = Parse("scheduler: asha\nasha: {max_epochs: 16, reduction_factor: 2, min_epochs: 2}\nspace: {units: [8, 16, 32]}\n");

        Assert.Equal(SearchStrategy.Grid, spec.Strategy);
        Assert.Equal(SchedulerKind.Asha, spec.Scheduler);
        Assert.All(Samplers.Expand(spec), c => Assert.Equal(16, c.Epochs));
        Assert.Equal(3, Samplers.TrialCount(spec));
    }

    [Fact]
    public void ExplicitDefaultsAreAccepted()
    {
        var spec = Parse("strategy: random\nmax_trials: 4\nscheduler: fifo\n");
        var redundant = Parse("strategy: asha\nscheduler: asha\nmax_trials: 4\nasha: {max_epochs: 4}\n");

        Assert.Equal(SchedulerKind.Fifo, spec.Scheduler);
        Assert.Equal(SchedulerKind.Asha, redundant.Scheduler);
    }
}
