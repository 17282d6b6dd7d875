#pragma once
// Deep Tensor Network (include/tenet/models/dtn/): tensor attention and tensor interaction,
// batch and streaming; see docs/dtn.md.
#include "tenet/models/dtn/attention_options.hpp"
#include "tenet/models/dtn/attention_state.hpp"
#include "tenet/models/dtn/attention_stream.hpp"
#include "tenet/models/dtn/tensor_attention.hpp"
#include "tenet/models/dtn/tensor_interaction.hpp"
