# frozen_string_literal: true

# Compiled Ruby kept between runtime processes, for the files a runtime provides (issue 13): loaded with `-r` before
# the bootstrap (harness.lambda_runtime.ruby). A ruby function's `require 'aws-sdk-s3'` compiled ~500 files of the
# SDK and the standard library at every cold start (~0.5 s of CPU); RubyVM::InstructionSequence.load_iseq, the hook
# Ruby calls before it compiles a required file (as bootsnap uses it), answers those files from a binary of their
# compiled code under HARNESS_RUBY_ISEQ_CACHE, keyed by the file's path, size and mtime, and by Ruby's version and
# platform. Files under HARNESS_RUBY_ISEQ_SKIP (the function's package and layers) are not touched: Ruby loads them
# itself, so their errors are Ruby's own. A missing, corrupt or unwritable cache only costs the compile. Both
# variables are removed from ENV here, before the function's code can see them.

module HarnessRubyIseqCache
  ROOT = ENV.delete('HARNESS_RUBY_ISEQ_CACHE').to_s
  DIR = File.join(ROOT, "ruby-#{RUBY_VERSION}-#{RUBY_PLATFORM}")
  # as given and as Ruby names the files it requires (real paths: a function's code may be a link)
  SKIP = ENV.delete('HARNESS_RUBY_ISEQ_SKIP').to_s.split(File::PATH_SEPARATOR).reject(&:empty?).flat_map do |root|
    [root, (File.realpath(root) rescue root)]
  end.uniq.map { |root| File.join(root, '') }

  def self.compiled(path)
    return nil if SKIP.any? { |root| path.start_with?(root) }

    stat = File.stat(path)
    name = path.gsub('%', '%25').gsub('/', '%2F') # percent-encoded: two paths never share a name
    cached = File.join(DIR, "#{name}-#{stat.size}-#{stat.mtime.to_i}.#{stat.mtime.nsec}.iseq")
    begin
      return RubyVM::InstructionSequence.load_from_binary(File.binread(cached))
    rescue StandardError
      nil # not there yet, or not a binary this Ruby reads: compiled again below
    end
    iseq = RubyVM::InstructionSequence.compile_file(path)
    store(cached, iseq)
    iseq
  rescue StandardError, ScriptError
    nil # Ruby loads it itself and reports what it finds, in its own words
  end

  def self.store(cached, iseq)
    Dir.mkdir(DIR) unless Dir.exist?(DIR)
    partial = "#{cached}.#{Process.pid}.partial"
    File.binwrite(partial, iseq.to_binary)
    File.rename(partial, cached) # atomic: another runtime reading it sees all of it or nothing
  rescue StandardError
    nil # not stored (no room, a name too long, another runtime made the directory first): compiled again next time
  ensure
    File.delete(partial) if partial && File.exist?(partial)
  end
end

unless HarnessRubyIseqCache::ROOT.empty? # no cache directory given: Ruby compiles as usual
  class RubyVM::InstructionSequence
    def self.load_iseq(path)
      HarnessRubyIseqCache.compiled(path)
    end
  end
end
