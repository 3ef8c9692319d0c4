package dev.framewise.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** A part of {@code framewise bench} as a command: which parts it measures, with the options all share. */
abstract class BenchPart implements Callable<Integer> {
    private final boolean modelPart;
    private final boolean pipelinePart;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchCommand.Options options;

    BenchPart(boolean modelPart, boolean pipelinePart) {
        this.modelPart = modelPart;
        this.pipelinePart = pipelinePart;
    }

    @Override
    public Integer call() throws Exception {
        return BenchCommand.run(spec, options, modelPart, pipelinePart);
    }
}
