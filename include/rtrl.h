/* rtrl.h — placeholder, being written */
#ifndef RTRL_H
#define RTRL_H
#endif
