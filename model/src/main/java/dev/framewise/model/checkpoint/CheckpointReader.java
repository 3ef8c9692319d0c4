package dev.framewise.model.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a checkpoint's state dict, whatever its format: a PyTorch zip ({@code .pth}, {@code .pt},
 * {@code pytorch_model.bin}) or safetensors. The format is told by the file's first bytes, not its name.
 */
public final class CheckpointReader {
    private CheckpointReader() {
    }

    public static StateDict read(Path file) {
        String name = file.getFileName().toString();
        byte[] head = new byte[16];
        int read;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            read = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new CheckpointException("cannot read weights " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CheckpointException("cannot read weights " + file + ": permission denied");
        } catch (IOException e) {
            throw new CheckpointException("cannot read weights " + file + ": " + e.getMessage(), e);
        }
        if (Files.isDirectory(file)) {
            throw new CheckpointException("cannot read weights " + file + ": it is a directory");
        }
        if (read >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return TorchZipReader.read(file);
        }
        if (read >= 2 && (head[0] & 0xff) == 0x80 && head[1] <= 5) {
            throw new CheckpointException(name + " is in PyTorch's legacy format (before 1.6), which Framewise does not read:"
                    + " load it in PyTorch and save it again with torch.save, or convert it to safetensors");
        }
        if (read == head.length && SafetensorsReader.looksLike(head)) {
            if (size > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(name + " is larger than 2 GB; Framewise imports checkpoints up to 2 GB");
            }
            try {
                return SafetensorsReader.read(Files.readAllBytes(file), name);
            } catch (IOException e) {
                throw new CheckpointException("cannot read weights " + file + ": " + e.getMessage(), e);
            }
        }
        throw new CheckpointException(name + " is neither a PyTorch checkpoint (a torch.save zip archive) nor a"
                + " safetensors file" + (size == 0 ? " (it is empty)" : ""));
    }
}
