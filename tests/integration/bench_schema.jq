# The schema of `keel bench --json` (format 1), as a jq filter: `jq -e -f bench_schema.jq FILE` exits 0 when
# FILE is a well-formed report. It checks structure and types only, never the timings themselves.
def str: type == "string";
def num: type == "number";
def str_or_null: type == "string" or type == "null";
def num_or_null: type == "number" or type == "null";
def stats: type == "object" and (.median | num) and (.min | num) and (.max | num)
	and .min <= .median and .median <= .max;
def rep($rounds): type == "object" and (.iterations | num) and .iterations > 0 and (.cycles | num) and (.ns | num_or_null)
	and (.round | num) and .round >= 0 and .round < $rounds;
# One path on one of keel, the floor, QEMU: figures when ok, otherwise a reason in words.
def series($rounds): type == "object"
	and (.status | IN("ok", "unavailable", "not-offered", "skipped", "not-run"))
	and (.ring_reported | . == null or . == 0 or . == 3)
	and (.repetitions | type == "array")
	and (if .status == "ok" then
		(.repetitions | length > 0 and all(.[]; rep($rounds)))
		and (.cycles | stats) and (.ns == null or (.ns | stats))
		and (.ns_source | . == null or . == "host-clock" or . == "tsc")
		and (.spread | num) and .spread >= 0 and .reason == null
	else
		(.reason | str) and (.reason | length > 0) and .repetitions == [] and .cycles == null and .spread == null
	end);
def path($rounds): type == "object" and (.name | str) and (.ring | IN(0, 3)) and (.exit | IN("kernel", "user", "thread"))
	and (.qemu_device | str_or_null)
	and (.keel | series($rounds)) and (.floor | series($rounds)) and (.qemu | series($rounds))
	and (.keel_over_floor | num_or_null) and (.keel_over_qemu | num_or_null);
def host: type == "object"
	and (.date | str and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))
	and (.kernel | str) and (.kvm_flavour | str and test("^(kvm_intel|kvm_amd|kvm_pvm)(\\+(kvm_intel|kvm_amd|kvm_pvm))*$|^unknown$"))
	and (.cpu_model | str) and (.host_cpus | num) and (.tsc_khz | num) and (.tsc_source | str) and (.vcpus | num)
	and (.qemu | str_or_null) and (.guest_tsc_khz | num_or_null) and (.guest_tsc_source | str_or_null);
def config: type == "object" and (.iterations | num) and .iterations > 0 and (.repetitions | num) and .repetitions > 0
	and (.rounds | num) and .rounds >= 1 and .rounds <= .repetitions
	and (.quick | type == "boolean") and .ratios_of == "min" and (.paths | type == "array" and all(.[]; str));

type == "object" and (.config | config) and (.config as $cfg
| .format == 1 and .tool == "keel bench" and (.keel_version | str) and (.host | host)
and (.paths | type == "array" and all(.[]; path($cfg.rounds)))
and ([.paths[].name] == .config.paths))
